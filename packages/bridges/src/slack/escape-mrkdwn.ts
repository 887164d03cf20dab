/**
 * Escapes text for Slack's mrkdwn. Slack's only control characters are & < >: every mention (<!channel>, <!here>,
 * <@U…>, <#C…>), link (<https://…|label>) and date token is written inside < >, so once those are escaped visitor
 * text can never ping anyone or disguise a link. Slack itself renders &amp; &lt; &gt; back as the characters.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
