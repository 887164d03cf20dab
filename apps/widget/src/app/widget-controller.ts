import type { TMessage, TSessionEvent, TWidgetAuth } from '@pocketping/protocol';
import type { TWidgetConfig } from '../shared/parse-config.js';
import { storageKeys } from '../shared/storage.js';
import type { TKeyValueStore } from '../shared/storage.js';
import type { TConnectTransport, TWidgetTransport } from '../transport/connect-widget-socket.js';
import { LIMITS, VISITOR_TOKEN_MAX, VISITOR_TOKEN_MIN } from '../transport/protocol.js';
import {
  addPending, confirmPending, hasGap, highestSeq, mergeMessages, setPendingStatus, switchConversation,
} from './chat-state.js';
import { createClientId as defaultCreateClientId } from './create-client-id.js';
import type { TStore } from './create-store.js';
import type { TWidgetState } from './widget-state.js';

export interface TWidgetControllerDeps {
  config: TWidgetConfig;
  store: TStore<TWidgetState>;
  /** localStorage (visitor token, conversation marker, read position, appearance). */
  local: TKeyValueStore;
  /** sessionStorage (panel open in this tab). */
  session: TKeyValueStore;
  connect: TConnectTransport;
  isPageVisible: () => boolean;
  createClientId?: () => string;
  now?: () => Date;
  ackTimeoutMs?: number;
}

export interface TWidgetController {
  start(): void;
  open(): void;
  close(): void;
  toggle(): void;
  /** Returns false when there was nothing to send (empty after trimming). */
  send(text: string): boolean;
  retry(clientId: string): void;
  /** The tab became visible again: catch up on what was missed while it was throttled. */
  onPageVisible(): void;
  destroy(): void;
}

/** A safety net against a server that keeps answering hasMore: 50 pages of 100 is far beyond any chat. */
const MAX_HISTORY_PAGES = 50;

/** The body as the server will store it (ZMessageBody): CRLF → LF, trimmed; null when empty or too long. */
export function normalizeBody(text: string): string | null {
  const body = text.replace(/\r\n/g, '\n').trim();
  return body.length === 0 || body.length > LIMITS.messageBodyMax ? null : body;
}

/** Wires the transport to the store: session and resume, history sync by seq, optimistic sends, read state. */
export function createWidgetController(deps: TWidgetControllerDeps): TWidgetController {
  const { config, store, local, session } = deps;
  const keys = storageKeys(config.projectKey);
  const createClientId = deps.createClientId ?? defaultCreateClientId;
  const now = deps.now ?? (() => new Date());
  let transport: TWidgetTransport | null = null;
  let destroyed = false;
  let isSyncing = false;
  let isSyncRequested = false;

  function getAuth(): TWidgetAuth {
    const token = local.get(keys.visitor);
    const isValid = token !== null && token.length >= VISITOR_TOKEN_MIN && token.length <= VISITOR_TOKEN_MAX;
    const base = isValid ? { projectKey: config.projectKey, visitorToken: token } : { projectKey: config.projectKey };
    return { ...base, ...pageInfo() };
  }

  /** The page the visitor is on, for the operator's visitor card (no fragment: it often carries app state). */
  function pageInfo(): { pageUrl?: string; referrer?: string } {
    if (typeof location === 'undefined' || typeof document === 'undefined') return {};
    const pageUrl = location.href.split('#')[0]!.slice(0, 2000);
    return document.referrer ? { pageUrl, referrer: document.referrer.slice(0, 2000) } : { pageUrl };
  }

  function setConnection(phase: TWidgetState['connection']['phase'], error?: string | null, willRetry = false) {
    store.update((s) => ({ ...s, connection: { phase, error: error === undefined ? s.connection.error : error, willRetry } }));
  }

  function rememberConversation(conversationId: string | null) {
    if (conversationId) local.set(keys.conversation, conversationId);
    else local.remove(keys.conversation);
  }

  function markReadIfSeen() {
    const state = store.get();
    if (!state.isOpen || !deps.isPageVisible()) return;
    const seq = highestSeq(state.chat);
    if (seq <= state.lastReadSeq) return;
    local.set(keys.lastRead, String(seq));
    store.update((s) => ({ ...s, lastReadSeq: seq }));
  }

  function applyServerMessages(messages: readonly TMessage[], source: 'history' | 'live') {
    const first = messages[0];
    if (!first) return;
    store.update((s) => {
      // A message of a different conversation means the server moved the visitor to a new one.
      const chat = mergeMessages(switchConversation(s.chat, first.conversationId), messages, source);
      return chat === s.chat ? s : { ...s, chat };
    });
    rememberConversation(store.get().chat.conversationId);
    markReadIfSeen();
  }

  /** Fetches every message after syncedSeq, page by page. Calls made while a sync runs trigger one more pass. */
  async function syncHistory(): Promise<void> {
    if (destroyed || !transport?.isConnected() || store.get().chat.conversationId === null) return;
    if (isSyncing) {
      isSyncRequested = true;
      return;
    }
    isSyncing = true;
    try {
      for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
        const afterSeq = store.get().chat.syncedSeq;
        const res = await transport.requestHistory(afterSeq, LIMITS.historyPageMax);
        if (destroyed) return;
        if (!res.ok) {
          console.warn(`[PocketPing] history request failed: ${res.error.code} ${res.error.message}`);
          return;
        }
        applyServerMessages(res.messages, 'history');
        if (!res.hasMore || res.messages.length === 0 || store.get().chat.syncedSeq <= afterSeq) return;
      }
    } finally {
      isSyncing = false;
      if (isSyncRequested && !destroyed) {
        isSyncRequested = false;
        void syncHistory();
      }
    }
  }

  function onSession(event: TSessionEvent) {
    if (event.visitorToken) local.set(keys.visitor, event.visitorToken);
    local.set(keys.appearance, JSON.stringify({ color: event.settings.color, position: event.settings.position }));
    rememberConversation(event.conversationId);
    store.update((s) => ({ ...s, settings: event.settings, chat: switchConversation(s.chat, event.conversationId) }));
    void syncHistory();
  }

  async function deliver(clientId: string, body: string) {
    const res = transport
      ? await transport.sendMessage({ clientId, body })
      : { ok: false as const, error: { code: 'closed', message: 'Not connected' } };
    if (destroyed) return;
    if (res.ok) {
      store.update((s) => ({ ...s, chat: confirmPending(s.chat, clientId, res.message) }));
      rememberConversation(store.get().chat.conversationId);
      markReadIfSeen();
      if (hasGap(store.get().chat)) void syncHistory();
    } else {
      store.update((s) => ({ ...s, chat: setPendingStatus(s.chat, clientId, 'failed', res.error.message) }));
    }
  }

  function setOpen(isOpen: boolean) {
    if (store.get().isOpen === isOpen) return;
    session.set(keys.open, isOpen ? '1' : '0');
    store.update((s) => ({ ...s, isOpen }));
    if (!isOpen) return;
    markReadIfSeen();
    // The server refused us earlier (e.g. origin not allowed): opening the chat is a good moment to try again.
    if (store.get().connection.phase !== 'connected' && !store.get().connection.willRetry) transport?.retry();
  }

  return {
    start() {
      if (transport || destroyed) return;
      setConnection('connecting');
      transport = deps.connect({
        getAuth,
        ackTimeoutMs: deps.ackTimeoutMs ?? 10_000,
        handlers: {
          onConnect(isReconnect) {
            setConnection('connected', null);
            // The server also sends `session` on every connect; the second request is coalesced by syncHistory.
            if (isReconnect) void syncHistory();
          },
          onDisconnect(reason, willReconnect) {
            // 'io server disconnect' (kicked by the server) is the case where socket.io will not reconnect by itself.
            if (reason !== 'io client disconnect') setConnection(willReconnect ? 'reconnecting' : 'disconnected', undefined, willReconnect);
          },
          onConnectError(message, willRetry) {
            setConnection('error', message, willRetry);
          },
          onSession,
          onMessage(message) {
            applyServerMessages([message], 'live');
            if (hasGap(store.get().chat)) void syncHistory();
          },
        },
      });
    },

    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!store.get().isOpen),

    send(text) {
      const body = normalizeBody(text);
      if (body === null || destroyed) return false;
      const clientId = createClientId();
      store.update((s) => ({ ...s, chat: addPending(s.chat, { clientId, body, createdAt: now().toISOString() }) }));
      void deliver(clientId, body);
      return true;
    },

    retry(clientId) {
      const pending = store.get().chat.pending.find((p) => p.clientId === clientId);
      if (!pending || pending.status !== 'failed' || destroyed) return;
      // Same clientId: if the first attempt did reach the server, it answers with the stored message.
      store.update((s) => ({ ...s, chat: setPendingStatus(s.chat, clientId, 'sending') }));
      transport?.retry();
      void deliver(clientId, pending.body);
    },

    onPageVisible() {
      markReadIfSeen();
      void syncHistory();
    },

    destroy() {
      destroyed = true;
      transport?.close();
      transport = null;
    },
  };
}
