import { describe, expect, it } from 'vitest';
import type { TMessage } from '@pocketping/protocol';
import {
  addPending,
  confirmPending,
  countUnread,
  EMPTY_CHAT,
  hasGap,
  highestSeq,
  mergeMessages,
  setPendingStatus,
  switchConversation,
} from './chat-state.js';
import type { TChatState } from './chat-state.js';

function msg(seq: number, over: Partial<TMessage> = {}): TMessage {
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    seq,
    clientId: null,
    sender: 'operator',
    authorName: 'Ann',
    body: `body ${seq}`,
    source: 'telegram',
    createdAt: `2025-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
    editedAt: null,
    deletedAt: null,
    attachments: [],
    ...over,
  };
}

const seqs = (s: TChatState) => s.messages.map((m) => m.seq);
const inConversation: TChatState = { ...EMPTY_CHAT, conversationId: 'c1' };

describe('mergeMessages', () => {
  it('orders by seq and never duplicates', () => {
    let s = mergeMessages(inConversation, [msg(3), msg(1), msg(2)], 'history');
    s = mergeMessages(s, [msg(2), msg(4), msg(3)], 'live');
    s = mergeMessages(s, [msg(1), msg(5)], 'history');
    expect(seqs(s)).toEqual([1, 2, 3, 4, 5]);
    expect(s.syncedSeq).toBe(5);
    expect(highestSeq(s)).toBe(5);
  });

  it('returns the same state when nothing is new', () => {
    const s = mergeMessages(inConversation, [msg(1), msg(2)], 'history');
    expect(mergeMessages(s, [msg(1), { ...msg(2) }], 'live')).toBe(s);
    expect(mergeMessages(s, [], 'history')).toBe(s);
  });

  it('adopts the conversation of the first messages when none is known yet', () => {
    const s = mergeMessages(EMPTY_CHAT, [msg(1)], 'live');
    expect(s.conversationId).toBe('c1');
    expect(seqs(s)).toEqual([1]);
  });

  it('ignores messages of another conversation', () => {
    const s = mergeMessages(inConversation, [msg(1), msg(2, { conversationId: 'c2' })], 'history');
    expect(seqs(s)).toEqual([1]);
  });

  it('keeps the latest version of an edited or deleted message', () => {
    let s = mergeMessages(inConversation, [msg(1)], 'history');
    const edited = msg(1, { body: 'fixed', editedAt: '2025-01-01T00:01:00.000Z' });
    s = mergeMessages(s, [edited], 'live');
    expect(s.messages[0]?.body).toBe('fixed');
    // A stale copy (e.g. a history page answered before the edit) does not undo it.
    s = mergeMessages(s, [msg(1)], 'history');
    expect(s.messages[0]?.body).toBe('fixed');
    const deleted = msg(1, { body: '', deletedAt: '2025-01-01T00:02:00.000Z' });
    s = mergeMessages(s, [deleted], 'live');
    expect(s.messages[0]?.deletedAt).not.toBeNull();
    expect(mergeMessages(s, [edited], 'live')).toBe(s);
  });

  it('tracks gaps: a live message past a hole keeps syncedSeq below it', () => {
    let s = mergeMessages(inConversation, [msg(1), msg(2)], 'history');
    s = mergeMessages(s, [msg(5)], 'live');
    expect(s.syncedSeq).toBe(2);
    expect(hasGap(s)).toBe(true);
    s = mergeMessages(s, [msg(3), msg(4)], 'history');
    expect(seqs(s)).toEqual([1, 2, 3, 4, 5]);
    expect(s.syncedSeq).toBe(5);
    expect(hasGap(s)).toBe(false);
  });

  it('trusts a history page for seqs it did not return', () => {
    const s = mergeMessages(inConversation, [msg(1), msg(3)], 'history');
    expect(s.syncedSeq).toBe(3);
    expect(hasGap(s)).toBe(false);
  });

  it('live messages in order advance syncedSeq', () => {
    let s = inConversation;
    for (const seq of [1, 2, 3]) s = mergeMessages(s, [msg(seq)], 'live');
    expect(s.syncedSeq).toBe(3);
  });
});

describe('pending sends', () => {
  const pending = { clientId: 'cid_aaaaaaaaaaaaaaaa', body: 'hello', createdAt: '2025-01-01T00:00:00.000Z' };

  it('are added as sending and marked failed', () => {
    let s = addPending(inConversation, pending);
    expect(s.pending).toEqual([{ ...pending, attachments: [], status: 'sending', error: null }]);
    s = setPendingStatus(s, pending.clientId, 'failed', 'timeout');
    expect(s.pending[0]).toMatchObject({ status: 'failed', error: 'timeout' });
    expect(setPendingStatus(s, 'unknown', 'failed')).toBe(s);
    // a retry re-adds with the same clientId without duplicating it
    s = addPending(s, pending);
    expect(s.pending).toHaveLength(1);
    expect(s.pending[0]?.status).toBe('sending');
  });

  it('are replaced by the server message with the same clientId, wherever it comes from', () => {
    const server = msg(3, { sender: 'visitor', clientId: pending.clientId, body: 'hello', authorName: null });
    const base = addPending(mergeMessages(inConversation, [msg(1), msg(2)], 'history'), pending);
    for (const source of ['live', 'history'] as const) {
      const s = mergeMessages(base, [server], source);
      expect(s.pending).toEqual([]);
      expect(seqs(s)).toEqual([1, 2, 3]);
    }
  });

  it('confirmPending replaces by the request clientId even if the echo lacks it', () => {
    const s = confirmPending(
      addPending(inConversation, pending),
      pending.clientId,
      msg(1, { sender: 'visitor', clientId: null }),
    );
    expect(s.pending).toEqual([]);
    expect(seqs(s)).toEqual([1]);
  });

  it('confirmPending after the live echo already arrived does not duplicate', () => {
    const server = msg(1, { sender: 'visitor', clientId: pending.clientId });
    let s = addPending(inConversation, pending);
    s = mergeMessages(s, [server], 'live');
    s = confirmPending(s, pending.clientId, server);
    expect(seqs(s)).toEqual([1]);
    expect(s.pending).toEqual([]);
  });

  it('the first send adopts the conversation the server created', () => {
    const s = confirmPending(
      addPending(EMPTY_CHAT, pending),
      pending.clientId,
      msg(1, { conversationId: 'new', clientId: pending.clientId }),
    );
    expect(s.conversationId).toBe('new');
    expect(seqs(s)).toEqual([1]);
  });
});

describe('switchConversation', () => {
  it('moves confirmed messages of the old conversation to `previous` (still shown) and keeps pending sends', () => {
    let s = mergeMessages(inConversation, [msg(1), msg(2)], 'history');
    s = addPending(s, { clientId: 'cid_bbbbbbbbbbbbbbbb', body: 'x', createdAt: 'now' });
    const next = switchConversation(s, 'c2');
    expect(next).toMatchObject({ conversationId: 'c2', messages: [], syncedSeq: 0 });
    expect(next.previous.map((m) => m.seq)).toEqual([1, 2]);
    expect(next.pending).toHaveLength(1);
    expect(switchConversation(next, 'c2')).toBe(next);
    // The new conversation's seq 1 is its own: merged into `messages`, never mixed with the closed one's.
    const merged = mergeMessages(next, [msg(1, { conversationId: 'c2', body: 'new one' })], 'live');
    expect(merged.messages.map((m) => m.body)).toEqual(['new one']);
    expect(merged.previous).toBe(next.previous);
  });
});

describe('countUnread', () => {
  it('counts non-visitor, non-deleted messages after the last read seq', () => {
    const s = mergeMessages(
      inConversation,
      [
        msg(1),
        msg(2, { sender: 'visitor' }),
        msg(3, { sender: 'ai' }),
        msg(4, { deletedAt: '2025-01-01T00:00:00.000Z' }),
        msg(5, { sender: 'system' }),
      ],
      'history',
    );
    expect(countUnread(s, 0)).toBe(3);
    expect(countUnread(s, 3)).toBe(1);
    expect(countUnread(s, 5)).toBe(0);
  });
});
