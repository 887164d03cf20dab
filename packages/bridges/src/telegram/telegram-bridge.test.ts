import { describe, expect, it } from 'vitest';
import type { TOutgoingMessage } from '../types.js';
import { renderCoalesced, renderMessage } from './telegram-bridge.js';

const msg = (body: string, over: Partial<TOutgoingMessage> = {}): TOutgoingMessage => ({
  messageId: 'm',
  seq: 1,
  sender: 'visitor',
  authorName: null,
  body,
  source: 'widget',
  ...over,
});

describe('telegram rendering', () => {
  it('labels mirrored operator replies and notes with the author and the app, escaping HTML', () => {
    expect(renderMessage(msg('a < b', { sender: 'operator', authorName: 'Sarah & co', source: 'slack' }))).toBe(
      '<b>Sarah &amp; co (via Slack)</b>: a &lt; b',
    );
    expect(
      renderMessage(msg('vip', { sender: 'operator', authorName: 'Sam', source: 'discord', visibility: 'internal' })),
    ).toBe('📝 <b>Note by Sam (via Discord)</b>: vip');
  });

  it('coalesces in order with blank lines and never exceeds 4096 characters (the rest waits for the next post)', () => {
    const r = renderCoalesced([msg('one'), msg('two'), msg('<three>')]);
    expect(r).toEqual({ text: 'one\n\ntwo\n\n&lt;three&gt;', count: 3 });
    const long = [msg('x'.repeat(2000)), msg('y'.repeat(2000)), msg('z'.repeat(2000))];
    const first = renderCoalesced(long);
    expect(first.count).toBe(2);
    expect(first.text.length).toBeLessThanOrEqual(4096);
    // A single message over the limit is still posted alone (cut with an ellipsis), never dropped.
    const huge = renderCoalesced([msg('w'.repeat(5000)), msg('v'.repeat(100))]);
    expect(huge.count).toBe(1);
    expect(huge.text.length).toBeLessThanOrEqual(4096);
  });
});
