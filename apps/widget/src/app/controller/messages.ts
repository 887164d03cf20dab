// The conversation's messages: sends (pending until acked, waiting through a reconnect, Retry with the same
// clientId), history sync by seq, live messages, and telling the server what the visitor has read.
import type { TAttachmentRef, TMessage } from '@pocketping/protocol';
import { LIMITS } from '../../transport/protocol.js';
import {
  addPending,
  confirmPending,
  hasGap,
  highestSeq,
  markSyncedThrough,
  mergeMessages,
  setPendingStatus,
  switchConversation,
  type TChatState,
} from '../chat-state.js';
import type { TWidgetState } from '../widget-state.js';
import { createClientId } from '../create-client-id.js';
import { OFFLINE, type TCore } from './core.js';
import { normalizeBody } from './payloads.js';

/** A safety net against a server that keeps answering hasMore: 50 pages of 100 is far beyond any chat. */
const MAX_HISTORY_PAGES = 50;

export function createMessages(core: TCore) {
  const { deps, keys, get, set, setChat, isConnected, request } = core;
  const { local } = deps;
  let isSyncing = false;
  let isSyncRequested = false;
  /** Highest seq announced with `read` on this connection. */
  let sentReadSeq = 0;
  /** The visitor's earlier conversations were loaded (asked with the first history page, once per widget). */
  let hasPrevious = false;
  /** Sends written while (re)connecting: they go out, in order, once the session is back. */
  const waiting: string[] = [];

  function rememberConversation() {
    const id = get().chat.conversationId;
    if (id) local.set(keys.conversation, id);
    else local.remove(keys.conversation);
  }

  /** Open panel in a visible tab = the messages are on screen: update the badge and tell the server. */
  function markReadIfSeen() {
    const state = get();
    if (!state.isOpen || !deps.isPageVisible()) return;
    const seq = highestSeq(state.chat);
    if (seq > state.lastReadSeq) {
      local.set(keys.lastRead, String(seq));
      set({ lastReadSeq: seq });
    }
    if (seq > sentReadSeq && isConnected()) {
      sentReadSeq = seq;
      void request('read', { seq });
    }
  }

  /** A new conversation (the visitor wrote again after a close): fresh receipts, open, no rating asked. */
  const freshIfNew = (chat: TChatState, before: TChatState): Partial<TWidgetState> =>
    chat.conversationId !== before.conversationId && before.conversationId
      ? { receipts: { delivered: 0, read: 0 }, conversationStatus: 'open', isCsatRequested: false }
      : {};

  function applyServerMessages(messages: readonly TMessage[], source: 'history' | 'live') {
    const first = messages[0];
    if (!first) return;
    const before = get().chat;
    // A message of a different conversation means the server moved the visitor to a new one.
    const chat = mergeMessages(switchConversation(before, first.conversationId), messages, source);
    if (chat === before) return;
    const known = new Set(before.messages.map((m) => m.seq));
    const replies = messages.filter((m) => m.sender !== 'visitor' && !known.has(m.seq));
    set({
      chat,
      // Their message ends their typing; a new conversation starts with fresh receipts.
      ...(replies.length ? { typing: null } : {}),
      ...freshIfNew(chat, before),
    });
    rememberConversation();
    markReadIfSeen();
    if (source === 'live')
      for (const m of replies) core.notify('message', { sender: m.sender, authorName: m.authorName, body: m.body });
  }

  /** Fetches every message after syncedSeq, page by page. Calls made while a sync runs trigger one more pass. */
  async function syncHistory(): Promise<void> {
    if (core.isDestroyed || !isConnected() || !get().chat.conversationId) return;
    if (isSyncing) {
      isSyncRequested = true;
      return;
    }
    isSyncing = true;
    try {
      for (let page = 0; page < MAX_HISTORY_PAGES && core.transport; page++) {
        const afterSeq = get().chat.syncedSeq;
        const res = await core.transport.requestHistory(afterSeq, LIMITS.historyPageMax, !hasPrevious);
        if (core.isDestroyed) return;
        if (!res.ok) return core.warn('history failed', res.error);
        applyServerMessages(res.messages, 'history');
        const { previous } = res;
        if (previous && !hasPrevious) {
          hasPrevious = true;
          // Shown read-only above the current conversation; what this page already moved there stays.
          if (previous.length) setChat((c) => (c.previous.length ? c : { ...c, previous }));
        }
        const through = res.throughSeq;
        if (through !== undefined) setChat((c) => markSyncedThrough(c, through));
        if (!res.hasMore || get().chat.syncedSeq <= afterSeq) return;
      }
    } finally {
      isSyncing = false;
      if (isSyncRequested && !core.isDestroyed) {
        isSyncRequested = false;
        void syncHistory();
      }
    }
  }

  async function deliver(clientId: string, body: string, attachments: readonly TAttachmentRef[]) {
    const payload = attachments.length
      ? { clientId, body, attachmentIds: attachments.map((a) => a.id) }
      : { clientId, body };
    const res = isConnected() && core.transport ? await core.transport.sendMessage(payload) : OFFLINE;
    if (core.isDestroyed) return;
    if (!res.ok) {
      // Not connected (or dropped mid-flight) but a connection is coming: wait for it instead of failing. The same
      // clientId makes the resend safe even if the first attempt did reach the server.
      const { phase, willRetry } = get().connection;
      if (!isConnected() && (phase === 'connecting' || phase === 'reconnecting' || willRetry))
        return void waiting.push(clientId);
      return setChat((c) => setPendingStatus(c, clientId, 'failed', res.error.message));
    }
    const before = get().chat;
    const chat = confirmPending(before, clientId, res.message);
    set({ chat, ...freshIfNew(chat, before) });
    rememberConversation();
    markReadIfSeen();
    if (hasGap(get().chat)) void syncHistory();
  }

  return {
    rememberConversation,
    markReadIfSeen,
    syncHistory,

    /** A new connection: the server has not been told anything read on it yet. */
    onConnect() {
      sentReadSeq = 0;
    },

    onMessage(message: TMessage) {
      applyServerMessages([message], 'live');
      if (hasGap(get().chat)) void syncHistory();
    },

    async flushWaiting() {
      for (const clientId of waiting.splice(0)) {
        const p = get().chat.pending.find((m) => m.clientId === clientId);
        if (p) await deliver(clientId, p.body, p.attachments);
      }
    },

    /** A final connection refusal: what waited for the connection fails, with Retry (which reconnects). */
    failWaiting(message: string) {
      for (const clientId of waiting.splice(0)) setChat((c) => setPendingStatus(c, clientId, 'failed', message));
    },

    send(text: string): boolean {
      const body = normalizeBody(text);
      const state = get();
      if (body === null || core.isDestroyed || state.uploads.some((u) => u.status === 'uploading')) return false;
      const attachments = state.uploads.flatMap((u) => (u.attachment ? [u.attachment] : []));
      if (!body && !attachments.length) return false;
      core.typing.stop();
      const clientId = (deps.createClientId ?? createClientId)();
      set({
        uploads: [],
        notice: null,
        draft: 0,
        chat: addPending(state.chat, {
          clientId,
          body,
          createdAt: (deps.now?.() ?? new Date()).toISOString(),
          attachments,
        }),
      });
      void deliver(clientId, body, attachments);
      return true;
    },

    retry(clientId: string) {
      const pending = get().chat.pending.find((p) => p.clientId === clientId);
      if (pending?.status !== 'failed' || core.isDestroyed) return;
      // Same clientId: if the first attempt did reach the server, it answers with the stored message.
      setChat((c) => setPendingStatus(c, clientId, 'sending'));
      if (!isConnected()) {
        core.transport?.retry();
        core.setConnection('connecting');
      }
      void deliver(clientId, pending.body, pending.attachments);
    },
  };
}

export type TMessages = ReturnType<typeof createMessages>;
