/** Escapes text for Telegram's HTML parse mode (only & < > are special there). */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to a platform limit without splitting a surrogate pair, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = Array.from(text.slice(0, max - 1));
  if (cut.join('').length > max - 1) cut.pop();
  return `${cut.join('')}…`;
}

const SOURCE_LABELS: Record<string, string> = { telegram: 'Telegram', discord: 'Discord', slack: 'Slack', web: 'the dashboard' };

export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? source;
}
