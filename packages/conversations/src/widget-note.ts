/**
 * Longest note the widget can cause (trigger() data, pre-chat answers, a rating's comment): one post on every app
 * (Discord's 2,000 characters with its label). Uncapped, one call could become dozens of posts on a bot that every
 * tenant shares.
 */
export const WIDGET_NOTE_MAX = 1_500;

/** Cuts a widget-caused note to WIDGET_NOTE_MAX, never in the middle of a surrogate pair, and says it was cut. */
export function capWidgetNote(body: string): string {
  if (body.length <= WIDGET_NOTE_MAX) return body;
  const cut = Array.from(body.slice(0, WIDGET_NOTE_MAX - 12));
  // slice() may have split a surrogate pair: drop the lone half.
  if (cut.length > 0 && /[\uD800-\uDBFF]/.test(cut[cut.length - 1]!)) cut.pop();
  return `${cut.join('')}… (cut)`;
}
