import type { TAttachmentRef, TMessage } from '@pocketping/protocol';

/** A message the visitor wrote that the server has not confirmed yet. */
export interface TPendingMessage {
  clientId: string;
  body: string;
  createdAt: string;
  status: 'sending' | 'failed';
  error: string | null;
  /** Files already uploaded, sent with this message (`attachmentIds`) and shown while it is pending. */
  attachments: readonly TAttachmentRef[];
}

export interface TChatState {
  conversationId: string | null;
  /** Confirmed messages, strictly increasing seq, one per seq. */
  messages: readonly TMessage[];
  /** Unconfirmed sends, in the order they were written; always rendered after `messages`. */
  pending: readonly TPendingMessage[];
  /**
   * Every seq ≤ syncedSeq is known: it is the `afterSeq` of the next history request. It equals the highest
   * seq rendered, except after a live message skipped ahead (missed events): then it stays below the gap so
   * the next history request fills it.
   */
  syncedSeq: number;
  /** Messages of the conversations closed before this one, kept on screen above it (never merged with it). */
  previous: readonly TMessage[];
}

export const EMPTY_CHAT: TChatState = { conversationId: null, messages: [], pending: [], syncedSeq: 0, previous: [] };

/**
 * Moves to another conversation (a new one was started, or the server resumed a different one). Confirmed
 * messages of the old conversation move to `previous` — seqs are per conversation, so they cannot be mixed — and
 * stay visible above the new one; unconfirmed sends stay, they will land in whatever conversation the server picks.
 */
export function switchConversation(state: TChatState, conversationId: string | null): TChatState {
  if (state.conversationId === conversationId) return state;
  if (state.conversationId === null) {
    const messages = state.messages.filter((m) => m.conversationId === conversationId);
    return {
      ...state,
      conversationId,
      messages,
      syncedSeq: messages.length === state.messages.length ? state.syncedSeq : 0,
    };
  }
  return {
    conversationId,
    messages: [],
    pending: state.pending,
    syncedSeq: 0,
    previous: [...state.previous, ...state.messages],
  };
}

/**
 * Merges server messages (a history page, a live `message` event or a send ack): one entry per seq, in seq
 * order, and every pending send whose clientId came back is dropped. Returns `state` itself when nothing
 * changed, so subscribers can skip a render. Messages of another conversation are ignored: call
 * switchConversation first.
 */
export function mergeMessages(
  state: TChatState,
  incoming: readonly TMessage[],
  source: 'history' | 'live',
): TChatState {
  const conversationId = state.conversationId ?? incoming[0]?.conversationId ?? null;
  const relevant = incoming.filter((m) => m.conversationId === conversationId);
  if (relevant.length === 0) return state;

  const bySeq = new Map<number, TMessage>();
  for (const m of state.messages) bySeq.set(m.seq, m);
  let changed = false;
  for (const m of relevant) {
    const current = bySeq.get(m.seq);
    if (!current || isNewerVersion(m, current)) {
      bySeq.set(m.seq, m);
      changed = true;
    }
  }
  const messages = changed ? Array.from(bySeq.values()).sort((a, b) => a.seq - b.seq) : state.messages;

  const confirmed = new Set<string>();
  for (const m of relevant) if (m.clientId !== null) confirmed.add(m.clientId);
  const pending = state.pending.some((p) => confirmed.has(p.clientId))
    ? state.pending.filter((p) => !confirmed.has(p.clientId))
    : state.pending;

  // A history page covers everything up to its last seq, even seqs it did not return.
  let syncedSeq = state.syncedSeq;
  if (source === 'history') for (const m of relevant) if (m.seq > syncedSeq) syncedSeq = m.seq;
  syncedSeq = advanceContiguous(messages, syncedSeq);

  if (
    messages === state.messages &&
    pending === state.pending &&
    syncedSeq === state.syncedSeq &&
    conversationId === state.conversationId
  ) {
    return state;
  }
  return { ...state, conversationId, messages, pending, syncedSeq };
}

/** True when a message beyond syncedSeq is known, i.e. some earlier ones were missed and history must be asked. */
export function hasGap(state: TChatState): boolean {
  const last = state.messages[state.messages.length - 1];
  return last !== undefined && last.seq > state.syncedSeq;
}

export function highestSeq(state: TChatState): number {
  return state.messages[state.messages.length - 1]?.seq ?? 0;
}

export function addPending(
  state: TChatState,
  message: Pick<TPendingMessage, 'clientId' | 'body' | 'createdAt'> & { attachments?: readonly TAttachmentRef[] },
): TChatState {
  const entry: TPendingMessage = { attachments: [], ...message, status: 'sending', error: null };
  return { ...state, pending: [...state.pending.filter((p) => p.clientId !== message.clientId), entry] };
}

/**
 * The server says every seq ≤ `seq` is accounted for (history `throughSeq`): seqs it never sends to the widget
 * (operator-only notes) must not look like a gap forever.
 */
export function markSyncedThrough(state: TChatState, seq: number): TChatState {
  if (seq <= state.syncedSeq) return state;
  return { ...state, syncedSeq: advanceContiguous(state.messages, seq) };
}

export function setPendingStatus(
  state: TChatState,
  clientId: string,
  status: TPendingMessage['status'],
  error: string | null = null,
): TChatState {
  if (!state.pending.some((p) => p.clientId === clientId)) return state;
  return { ...state, pending: state.pending.map((p) => (p.clientId === clientId ? { ...p, status, error } : p)) };
}

/**
 * A send was acknowledged: the server's message replaces the pending one. Matching the ack to the request, not
 * only by the returned clientId, keeps this right even if the server echoes no clientId.
 */
export function confirmPending(state: TChatState, clientId: string, message: TMessage): TChatState {
  const merged = mergeMessages(switchConversation(state, message.conversationId), [message], 'live');
  return merged.pending.some((p) => p.clientId === clientId)
    ? { ...merged, pending: merged.pending.filter((p) => p.clientId !== clientId) }
    : merged;
}

/** Messages from the other side (operator, AI, system) with a seq above `lastReadSeq`. */
export function countUnread(state: TChatState, lastReadSeq: number): number {
  let n = 0;
  for (const m of state.messages) if (m.seq > lastReadSeq && m.sender !== 'visitor' && m.deletedAt === null) n++;
  return n;
}

function advanceContiguous(messages: readonly TMessage[], from: number): number {
  let seq = from;
  // messages is sorted, so a single forward scan finds the run that starts right after `from`.
  for (const m of messages) {
    if (m.seq <= seq) continue;
    if (m.seq !== seq + 1) break;
    seq = m.seq;
  }
  return seq;
}

/** Edits and deletions re-send a seq; keep whichever copy is the later version. */
function isNewerVersion(next: TMessage, current: TMessage): boolean {
  if (next === current) return false;
  if (current.deletedAt !== null) return false;
  if (next.deletedAt !== null) return true;
  const nextEdit = next.editedAt ?? '';
  const currentEdit = current.editedAt ?? '';
  if (nextEdit !== currentEdit) return nextEdit > currentEdit;
  return next.body !== current.body || next.authorName !== current.authorName;
}
