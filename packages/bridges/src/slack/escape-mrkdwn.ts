/**
 * Escapes text for Slack's mrkdwn. Slack's only control characters are & < >: every mention (<!channel>, <!here>,
 * <@U…>, <#C…>), link (<https://…|label>) and date token is written inside < >, so once those are escaped visitor
 * text can never ping anyone or disguise a link. Slack itself renders &amp; &lt; &gt; back as the characters.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ZWSP = '\u200B';
/** Links stay intact: Slack does not format inside them, and a zero-width space would break them. */
const URL_IN_TEXT = /https?:\/\/[^\s<>]+/g;

/**
 * Visitor text for mrkdwn: escaped as above, and unable to format itself. Slack has no escape character for
 * `* _ ~ \``, so each gets a zero-width space on both sides: an opening marker then either follows a word character or
 * precedes a space, whichever way Slack classes that space, and never starts bold, italics, strike or code. Emoji
 * shortcodes (`:memo:`) are broken the same way and a line-leading `>` (quote) is pushed off the line start, so a
 * visitor cannot write something that looks like the team's bold "Note by …" or reply labels.
 */
export function escapeSlackVisitorText(text: string): string {
  const escaped = escapeSlackText(text);
  let out = '';
  let last = 0;
  for (const m of escaped.matchAll(URL_IN_TEXT)) {
    out += defuse(escaped.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + defuse(escaped.slice(last));
}

function defuse(s: string): string {
  return s
    .replace(/:(?=[a-z0-9_+'-]+:)/gi, `:${ZWSP}`)
    .replace(/[*_~`]/g, (c) => `${ZWSP}${c}${ZWSP}`)
    .replace(/^([ \t]*)&gt;/gm, `$1${ZWSP}&gt;`);
}
