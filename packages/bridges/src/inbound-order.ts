/**
 * Where an inbound delivery stands in its platform's order. Events with the same `threadKey` (per connection) are
 * applied one at a time, lowest `orderKey` first: a burst of replies, or an edit right behind its message, keeps
 * the order the operator wrote in however many workers process them. `threadKey` null = the event names no thread
 * (install events, messages outside threads): it waits for nothing.
 */
export interface TInboundOrdering {
  threadKey: string | null;
  orderKey: string;
}

const ORDER_KEY_DIGITS = 24;

/** A platform's increasing number (update_id, snowflake, Slack ts without its dot) as a fixed-width sortable key. */
export function orderKeyFromDigits(digits: string): string {
  const clean = /^\d{1,24}$/.test(digits) ? digits.replace(/^0+(?=\d)/, '') : '';
  return clean.padStart(ORDER_KEY_DIGITS, '0');
}

/** Slack's `ts` ("1712345678.000123": seconds, then a per-channel counter) as an order key. */
export function orderKeyFromSlackTs(ts: string | undefined): string {
  const m = /^(\d{1,12})\.(\d{1,6})$/.exec(ts ?? '');
  if (!m) return orderKeyFromDigits('');
  return orderKeyFromDigits(`${m[1]}${(m[2] ?? '').padEnd(6, '0')}`);
}

export const NO_ORDERING: TInboundOrdering = { threadKey: null, orderKey: orderKeyFromDigits('') };
