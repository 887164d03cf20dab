/**
 * Turns the text of a Slack message (as the Events API delivers it: & < > escaped, mentions and links in < >)
 * into plain text for the widget. The widget never renders markup, so this is about legibility, not safety.
 */
export function mrkdwnToPlain(text: string): string {
  return text
    .replace(/<([^<>]*)>/g, (_all, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('@')) return label ? `@${label}` : target;
      if (target.startsWith('#')) return label ? `#${label}` : target;
      if (target.startsWith('!')) {
        const word = target.slice(1).split('^')[0] ?? '';
        if (word === 'here' || word === 'channel' || word === 'everyone') return `@${word}`;
        return label ?? word;
      }
      const bare = target.replace(/^mailto:/, '');
      if (label && label !== bare) return `${label} (${bare})`;
      return bare;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
