// The widget's brain, between the transport and the Preact tree. Written for size as much as for clarity: it is
// the largest part of app.js, whose gzipped weight is budgeted (see build.mjs). Its contract (deps, public methods)
// is in ./controller/types.ts, the payloads it sends are shaped in ./controller/payloads.ts.
import type { TAttachmentRef, TMessage, TSessionEvent, TWidgetAuth } from '@pocketping/protocol';
import { storageKeys } from '../shared/storage.js';
import type { TSimpleRequest, TWidgetTransport } from '../transport/connect-widget-socket.js';
import { LIMITS, UPLOAD_MAX_BYTES, VISITOR_TOKEN_MAX, VISITOR_TOKEN_MIN } from '../transport/protocol.js';
import type { TUploadHandle } from '../transport/upload-file.js';
import { pickLanguage } from '../ui/i18n.js';
import type { TLanguage } from '../ui/i18n.js';
import {
  addPending,
  confirmPending,
  countUnread,
  hasGap,
  highestSeq,
  markSyncedThrough,
  mergeMessages,
  setPendingStatus,
  switchConversation,
} from './chat-state.js';
import { normalizeBody, scalars, toIdentifyPayload, type TScalars } from './controller/payloads.js';
import type { TWidgetController, TWidgetControllerDeps } from './controller/types.js';
import { createClientId as defaultCreateClientId } from './create-client-id.js';
import type { TPreChatAnswers } from './form-types.js';
import { panelCards } from './panel-cards.js';
import { createTypingNotifier } from './typing-notifier.js';
import type { TFormState, TWidgetState } from './widget-state.js';

/** A safety net against a server that keeps answering hasMore: 50 pages of 100 is far beyond any chat. */
const MAX_HISTORY_PAGES = 50;
/** Custom events kept while offline; older ones are dropped first. */
const MAX_QUEUED_EVENTS = 20;
const IDLE: TFormState = { status: 'idle', error: null };
const DONE: TFormState = { status: 'done', error: null };
const OFFLINE = { ok: false as const, error: { code: 'offline', message: 'Not connected' } };

export type { TPreChatAnswers, TWidgetController, TWidgetControllerDeps };
export { normalizeBody, toIdentifyPayload };

/** Wires the transport to the store: session and resume, history sync by seq, sends, receipts, forms, uploads. */
export function createWidgetController(deps: TWidgetControllerDeps): TWidgetController {
  const { config, store, local, session } = deps;
  const keys = storageKeys(config.projectKey);
  const notify = deps.notify ?? (() => undefined);
  const get = store.get;
  const set = store.set;
  let transport: TWidgetTransport | null = null;
  let destroyed = false;
  let isSyncing = false;
  let isSyncRequested = false;
  /** Highest seq announced with `read` on this connection. */
  let sentReadSeq = 0;
  let identity: Record<string, unknown> | null = null;
  const queuedEvents: { name: string; data?: TScalars }[] = [];
  const uploads = new Map<string, TUploadHandle>();
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let uploadIds = 0;
  /** Language of `state.t` (English until a pack arrives). */
  let textsLanguage: TLanguage = deps.textsLanguage ?? 'en';
  let lastUnread = -1;
  let isLoadingExtras = false;

  const isConnected = () => !!transport?.isConnected();
  const request = (event: TSimpleRequest, payload: object) =>
    transport ? transport.request(event, payload) : Promise.resolve(OFFLINE);
  const warn = (what: string, error: { code: string; message: string }) =>
    console.warn(`[PocketPing] ${what}: ${error.code} ${error.message}`);
  const typing = createTypingNotifier((isTyping) => {
    if (isConnected()) void request('typingUpdate', { isTyping });
  });
  const setChat = (fn: (chat: TWidgetState['chat']) => TWidgetState['chat']) =>
    store.update((s) => ({ ...s, chat: fn(s.chat) }));
  const setForm = (form: keyof TWidgetState['forms'], value: TFormState) =>
    set({ forms: { ...get().forms, [form]: value } });
  const setConnection = (phase: TWidgetState['connection']['phase'], error?: string | null, willRetry = false) =>
    set({ connection: { phase, error: error === undefined ? get().connection.error : error, willRetry } });

  function setLanguage(language: TLanguage) {
    set({ language });
    if (language === textsLanguage || !deps.loadStrings) return;
    deps.loadStrings(language).then(
      (t) => {
        if (get().language !== language) return;
        textsLanguage = language;
        set({ t });
      },
      () => console.warn(`[PocketPing] no ${language} texts; using English`),
    );
  }

  function visitorToken(): string | null {
    const token = local.get(keys.visitor);
    return token && token.length >= VISITOR_TOKEN_MIN && token.length <= VISITOR_TOKEN_MAX ? token : null;
  }

  function getAuth(): TWidgetAuth {
    const auth: TWidgetAuth = { projectKey: config.projectKey };
    const token = visitorToken();
    if (token) auth.visitorToken = token;
    // The page the visitor is on, for the operator's visitor card (no fragment: it often carries app state).
    if (typeof location !== 'undefined') auth.pageUrl = location.href.split('#')[0]!.slice(0, 2000);
    if (typeof document !== 'undefined' && document.referrer) auth.referrer = document.referrer.slice(0, 2000);
    return auth;
  }

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
      ...(chat.conversationId !== before.conversationId && before.conversationId
        ? { receipts: { delivered: 0, read: 0 }, conversationStatus: 'open', isCsatRequested: false }
        : {}),
    });
    rememberConversation();
    markReadIfSeen();
    if (source === 'live')
      for (const m of replies) notify('message', { sender: m.sender, authorName: m.authorName, body: m.body });
  }

  /** Fetches every message after syncedSeq, page by page. Calls made while a sync runs trigger one more pass. */
  async function syncHistory(): Promise<void> {
    if (destroyed || !isConnected() || !get().chat.conversationId) return;
    if (isSyncing) {
      isSyncRequested = true;
      return;
    }
    isSyncing = true;
    try {
      for (let page = 0; page < MAX_HISTORY_PAGES && transport; page++) {
        const afterSeq = get().chat.syncedSeq;
        const res = await transport.requestHistory(afterSeq, LIMITS.historyPageMax);
        if (destroyed) return;
        if (!res.ok) return warn('history failed', res.error);
        applyServerMessages(res.messages, 'history');
        const through = res.throughSeq;
        if (through !== undefined) setChat((c) => markSyncedThrough(c, through));
        if (!res.hasMore || get().chat.syncedSeq <= afterSeq) return;
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
    const { settings } = event;
    if (event.visitorToken) local.set(keys.visitor, event.visitorToken);
    // The loader draws the launcher and picks the app's language build from this before any connection.
    local.set(
      keys.appearance,
      JSON.stringify({ color: settings.color, position: settings.position, language: settings.language }),
    );
    const s = get();
    const chat = switchConversation(s.chat, event.conversationId);
    const isSame = chat === s.chat;
    const read = Math.max(isSame ? s.receipts.read : 0, event.operatorReadSeq ?? 0);
    set({
      settings,
      chat,
      receipts: { delivered: Math.max(isSame ? s.receipts.delivered : 0, read), read },
      conversationStatus: event.conversationStatus ?? (isSame ? s.conversationStatus : 'open'),
      isCsatRequested: event.csatRequested ?? (isSame && s.isCsatRequested),
    });
    rememberConversation();
    if (!config.language) {
      const browser = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
      setLanguage(pickLanguage(settings.language === 'auto' ? [] : [settings.language], browser));
    }
    // The server knows the visitor now: identity, events and messages waiting for a connection go out.
    void sendIdentity();
    flushEvents();
    void flushWaiting();
    void syncHistory();
  }

  async function sendIdentity() {
    if (!identity) return;
    const res = await request('identify', identity);
    if (!res.ok) warn('identify refused', res.error);
    else if (identity.email) rememberEmail();
  }

  function flushEvents() {
    while (queuedEvents.length && isConnected()) {
      const event = queuedEvents.shift()!;
      void request('event', event).then((res) =>
        res.ok ? undefined : warn(`trigger(${event.name}) refused`, res.error),
      );
    }
  }

  function rememberEmail() {
    local.set(keys.email, '1');
    set({ hasEmail: true });
  }

  /** Sends written while (re)connecting: they go out, in order, once the session is back. */
  const waiting: string[] = [];

  async function deliver(clientId: string, body: string, attachments: readonly TAttachmentRef[]) {
    const payload = attachments.length
      ? { clientId, body, attachmentIds: attachments.map((a) => a.id) }
      : { clientId, body };
    const res = isConnected() && transport ? await transport.sendMessage(payload) : OFFLINE;
    if (destroyed) return;
    if (!res.ok) {
      // Not connected (or dropped mid-flight) but a connection is coming: wait for it instead of failing. The same
      // clientId makes the resend safe even if the first attempt did reach the server.
      const { phase, willRetry } = get().connection;
      if (!isConnected() && (phase === 'connecting' || phase === 'reconnecting' || willRetry))
        return void waiting.push(clientId);
      return setChat((c) => setPendingStatus(c, clientId, 'failed', res.error.message));
    }
    setChat((c) => confirmPending(c, clientId, res.message));
    rememberConversation();
    markReadIfSeen();
    if (hasGap(get().chat)) void syncHistory();
  }

  async function flushWaiting() {
    for (const clientId of waiting.splice(0)) {
      const p = get().chat.pending.find((m) => m.clientId === clientId);
      if (p) await deliver(clientId, p.body, p.attachments);
    }
  }

  function setOpen(isOpen: boolean) {
    if (get().isOpen === isOpen) return;
    session.set(keys.open, isOpen ? '1' : '0');
    set({ isOpen });
    notify(isOpen ? 'open' : 'close');
    if (!isOpen) return typing.stop();
    markReadIfSeen();
    // The server refused us earlier (e.g. origin not allowed): opening the chat is a good moment to try again.
    const { phase, willRetry } = get().connection;
    if (phase !== 'connected' && !willRetry) transport?.retry();
  }

  const patchUpload = (id: string, patch: Partial<TWidgetState['uploads'][number]>) =>
    set({ uploads: get().uploads.map((u) => (u.id === id ? { ...u, ...patch } : u)) });

  async function submitForm(
    form: keyof TWidgetState['forms'],
    event: TSimpleRequest,
    payload: object,
  ): Promise<boolean> {
    setForm(form, { status: 'sending', error: null });
    const res = await request(event, payload);
    if (!destroyed) setForm(form, res.ok ? DONE : { status: 'idle', error: res.error.message });
    return res.ok && !destroyed;
  }

  // Keep the page informed of the unread count (badge) as it changes, and fetch extras.js once a form is due.
  store.subscribe((s) => {
    if (s.isOpen && !s.extras && Object.values(panelCards(s)).some(Boolean)) controller.needExtras();
    const unread = countUnread(s.chat, s.lastReadSeq);
    if (unread !== lastUnread) notify('unread', (lastUnread = unread));
  });

  const controller: TWidgetController = {
    start() {
      if (transport || destroyed) return;
      // The language known before the server answers (init option or browser): fetch its texts now.
      setLanguage(get().language);
      setConnection('connecting');
      transport = deps.connect({
        getAuth,
        ackTimeoutMs: deps.ackTimeoutMs ?? 10_000,
        handlers: {
          onConnect(isReconnect) {
            sentReadSeq = 0;
            setConnection('connected', null);
            // The server also sends `session` on every connect; the second request is coalesced by syncHistory.
            if (isReconnect) void syncHistory();
          },
          onDisconnect(reason, willReconnect) {
            typing.stop();
            set({ typing: null });
            // 'io server disconnect' (kicked by the server) is the case where the client will not reconnect by itself.
            if (reason !== 'io client disconnect')
              setConnection(willReconnect ? 'reconnecting' : 'disconnected', undefined, willReconnect);
          },
          onConnectError(message, willRetry) {
            setConnection('error', message, willRetry);
            // A final refusal: what waited for the connection fails, with Retry (which reconnects).
            if (!willRetry)
              for (const clientId of waiting.splice(0))
                setChat((c) => setPendingStatus(c, clientId, 'failed', message));
          },
          onSession,
          onMessage(message) {
            // The stored AI answer replaces its streamed bubble; a person's reply ends the "team will answer" notice.
            if (message.sender === 'ai' && get().aiStream) set({ aiStream: null });
            if (message.sender === 'operator' && get().aiNotice) set({ aiNotice: null });
            applyServerMessages([message], 'live');
            if (hasGap(get().chat)) void syncHistory();
          },
          onTyping(event) {
            clearTimeout(typingTimer);
            set({ typing: event.isTyping ? event : null });
            // Never trust a typing indicator to be cleared: a lost `false` must not leave it on forever.
            if (event.isTyping) typingTimer = setTimeout(() => set({ typing: null }), deps.typingTimeoutMs ?? 6000);
          },
          onAiStream(event) {
            const current = get().chat.conversationId;
            if (current && event.conversationId !== current) return;
            if (event.state === 'streaming' || event.state === 'done') {
              // A late partial never overwrites the final text of the same answer.
              const shown = get().aiStream;
              if (shown?.streamId === event.streamId && shown.state === 'done' && event.state === 'streaming') return;
              set({ aiStream: event, aiNotice: null, typing: null });
            } else set({ aiStream: null, aiNotice: event.state === 'cancelled' ? get().aiNotice : event.state });
          },
          onReceipt({ conversationId, kind, seq }) {
            const { chat, receipts } = get();
            if (conversationId !== chat.conversationId) return;
            const read = kind === 'read' ? Math.max(receipts.read, seq) : receipts.read;
            const delivered = Math.max(receipts.delivered, kind === 'delivered' ? seq : read);
            if (delivered !== receipts.delivered || read !== receipts.read) set({ receipts: { delivered, read } });
          },
          onConversation({ conversationId, status, csatRequested }) {
            const current = get().chat.conversationId;
            if (current && conversationId !== current) return;
            const isAsking = status === 'closed' && csatRequested;
            set({ conversationStatus: status, isCsatRequested: isAsking });
            if (isAsking) setForm('csat', IDLE);
          },
          onPresence: (presence) => set({ presence }),
          onPush: (e) => notify(e.name, e.data),
        },
      });
    },

    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!get().isOpen),

    send(text) {
      const body = normalizeBody(text);
      const state = get();
      if (body === null || destroyed || state.uploads.some((u) => u.status === 'uploading')) return false;
      const attachments = state.uploads.flatMap((u) => (u.attachment ? [u.attachment] : []));
      if (!body && !attachments.length) return false;
      typing.stop();
      const clientId = (deps.createClientId ?? defaultCreateClientId)();
      set({
        uploads: [],
        notice: null,
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

    retry(clientId) {
      const pending = get().chat.pending.find((p) => p.clientId === clientId);
      if (pending?.status !== 'failed' || destroyed) return;
      // Same clientId: if the first attempt did reach the server, it answers with the stored message.
      setChat((c) => setPendingStatus(c, clientId, 'sending'));
      if (!isConnected()) {
        transport?.retry();
        setConnection('connecting');
      }
      void deliver(clientId, pending.body, pending.attachments);
    },

    onInput: (text) => typing.input(!!text.trim()),
    onBlur: typing.stop,

    addFiles(files) {
      const upload = deps.upload;
      if (!upload) return;
      set({ notice: null });
      for (const file of Array.from(files)) {
        if (get().uploads.length >= 10) break;
        if (file.size > UPLOAD_MAX_BYTES) {
          set({ notice: get().t.fileTooLarge(file.name, '10 MB') });
          continue;
        }
        const id = `u${++uploadIds}`;
        set({
          uploads: [
            ...get().uploads,
            { id, name: file.name, size: file.size, progress: 0, status: 'uploading', error: null, attachment: null },
          ],
        });
        const handle = upload({
          projectKey: config.projectKey,
          visitorToken: visitorToken(),
          file,
          onProgress: (progress) => patchUpload(id, { progress }),
        });
        uploads.set(id, handle);
        void handle.done.then((res) => {
          uploads.delete(id);
          if (destroyed) return;
          if (res.ok) patchUpload(id, { status: 'done', progress: 1, attachment: res.attachment });
          else if (res.error.code !== 'aborted') patchUpload(id, { status: 'failed', error: res.error.message });
        });
      }
    },

    removeUpload(id) {
      uploads.get(id)?.abort();
      set({ uploads: get().uploads.filter((u) => u.id !== id) });
    },

    identify(input) {
      identity = toIdentifyPayload(input);
      if (!identity) console.error('[PocketPing] identify() needs { id }');
      else if (isConnected()) void sendIdentity();
    },

    track(name, data) {
      if (typeof name !== 'string' || !/^[\w.:-]{1,100}$/.test(name))
        return console.error('[PocketPing] trigger() needs a name of letters, digits, _ . : -');
      const fields = scalars(data);
      queuedEvents.push(fields ? { name, data: fields } : { name });
      if (queuedEvents.length > MAX_QUEUED_EVENTS) queuedEvents.shift();
      flushEvents();
    },

    async submitPreChat({ email, name, fields }) {
      const payload: TPreChatAnswers = {};
      if (email) payload.email = email.trim();
      if (name?.trim()) payload.name = name.trim().slice(0, 120);
      if (fields && Object.keys(fields).length) payload.fields = fields;
      const ok = await submitForm('preChat', 'preChat', payload);
      if (ok) {
        local.set(keys.preChat, '1');
        if (payload.email) rememberEmail();
      }
      return ok;
    },

    dismissPreChat() {
      local.set(keys.preChat, '1');
      setForm('preChat', DONE);
    },

    async submitAwayEmail(email) {
      const ok = await submitForm('away', 'preChat', { email: email.trim() });
      if (ok) rememberEmail();
      return ok;
    },

    async submitCsat(score, comment) {
      const text = comment.trim().slice(0, 2000);
      const ok = await submitForm('csat', 'csat', text ? { score, comment: text } : { score });
      if (ok) set({ isCsatRequested: false });
      return ok;
    },

    needExtras() {
      if (get().extras || isLoadingExtras || !deps.loadExtras) return;
      isLoadingExtras = true;
      deps.loadExtras().then(
        (extras) => set({ extras }),
        () => {
          isLoadingExtras = false; // the next render asks again
          console.warn('[PocketPing] could not load extras.js');
        },
      );
    },

    onPageVisible() {
      markReadIfSeen();
      void syncHistory();
    },

    destroy() {
      destroyed = true;
      typing.stop();
      clearTimeout(typingTimer);
      for (const handle of uploads.values()) handle.abort();
      transport?.close();
      transport = null;
    },
  };
  return controller;
}
