// The connection and its session: the handshake's auth (visitor token to resume, page), what `session` brings
// (visitor token, settings, the conversation to resume, receipts), the language's texts, and what a connect,
// a disconnect or a refusal changes.
import type { TSessionEvent, TWidgetAuth } from '@pocketping/protocol';
import type { TTransportHandlers } from '../../transport/connect-widget-socket.js';
import { pickLanguage, type TLanguage } from '../../ui/i18n.js';
import { switchConversation } from '../chat-state.js';
import type { TCore } from './core.js';
import type { createIdentity } from './identity.js';
import type { createLiveSignals } from './live-signals.js';
import type { TMessages } from './messages.js';

export function createConnection(
  core: TCore,
  messages: TMessages,
  identity: ReturnType<typeof createIdentity>,
  signals: ReturnType<typeof createLiveSignals>,
) {
  const { deps, keys, get, set, setConnection } = core;
  const { config, local } = deps;
  /** Language of `state.t` (English until a pack arrives). */
  let textsLanguage: TLanguage = deps.textsLanguage ?? 'en';

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

  function getAuth(): TWidgetAuth {
    const auth: TWidgetAuth = { projectKey: config.projectKey };
    const token = core.visitorToken();
    if (token) auth.visitorToken = token;
    // The page, referrer, zone and session pages for the operator's visitor card (the loader keeps them).
    return Object.assign(auth, deps.visitorContext?.());
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
      // Watermarks: a reload must not move them back ("Delivered" → "Sent").
      receipts: { delivered: Math.max(isSame ? s.receipts.delivered : 0, read, event.deliveredSeq ?? 0), read },
      conversationStatus: event.conversationStatus ?? (isSame ? s.conversationStatus : 'open'),
      isCsatRequested: event.csatRequested ?? (isSame && s.isCsatRequested),
      // "A team member will answer here" survives a reload: the server says whether the AI stepped back from this
      // conversation and nobody has replied since (the worker records that before it tells the widget live).
      aiNotice: event.aiNotice ?? null,
    });
    messages.rememberConversation();
    if (!config.language) {
      const browser = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
      setLanguage(pickLanguage(settings.language === 'auto' ? [] : [settings.language], browser));
    }
    // The server knows the visitor now: identity, events and messages waiting for a connection go out.
    identity.onSession();
    void messages.flushWaiting();
    void messages.syncHistory();
  }

  const handlers: TTransportHandlers = {
    ...signals,
    onConnect(isReconnect) {
      messages.onConnect();
      setConnection('connected', null);
      // The server also sends `session` on every connect; the second request is coalesced by syncHistory.
      if (isReconnect) void messages.syncHistory();
    },
    onDisconnect(reason, willReconnect) {
      core.typing.stop();
      signals.stop();
      // 'io server disconnect' (kicked by the server) is the case where the client will not reconnect by itself.
      if (reason !== 'io client disconnect')
        setConnection(willReconnect ? 'reconnecting' : 'disconnected', undefined, willReconnect);
    },
    onConnectError(message, willRetry) {
      setConnection('error', message, willRetry);
      if (!willRetry) messages.failWaiting(message);
    },
    onSession,
    onMessage(message) {
      // The stored AI answer replaces its streamed bubble; a person's reply ends the "team will answer" notice.
      if (message.sender === 'ai' && get().aiStream) set({ aiStream: null });
      if (message.sender === 'operator' && get().aiNotice) set({ aiNotice: null });
      messages.onMessage(message);
    },
    // A named event the customer's backend pushed to this visitor (PocketPing.on(name, fn)).
    onPush: (e) => core.notify(e.name, e.data),
  };

  return {
    /** The loader saw an in-page navigation: the list goes again (the server stores each page once). */
    reportPages() {
      if (core.isConnected() && deps.visitorContext) void core.request('pages', deps.visitorContext());
    },
    start() {
      if (core.transport || core.isDestroyed) return;
      // The language known before the server answers (init option or browser): fetch its texts now.
      setLanguage(get().language);
      setConnection('connecting');
      core.transport = deps.connect({ getAuth, ackTimeoutMs: deps.ackTimeoutMs ?? 10_000, handlers });
    },
  };
}
