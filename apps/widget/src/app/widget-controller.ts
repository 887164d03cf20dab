// The widget's brain, between the transport and the Preact tree: one small module per concern in ./controller/
// (connection and session, messages, live signals, identity and events, uploads), all sharing one core. Written for
// size as much as for clarity: it is the largest part of app.js, whose gzipped weight is budgeted (see build.mjs).
// Its contract (deps, public methods) is in ./controller/types.ts, the payloads it sends in ./controller/payloads.ts.
import { countUnread } from './chat-state.js';
import { createConnection } from './controller/connection.js';
import { createCore } from './controller/core.js';
import { createIdentity } from './controller/identity.js';
import { createLiveSignals } from './controller/live-signals.js';
import { createMessages } from './controller/messages.js';
import { normalizeBody, toIdentifyPayload } from './controller/payloads.js';
import type { TWidgetController, TWidgetControllerDeps } from './controller/types.js';
import type { TLazyModules } from './controller/lazy-modules.js';
import type { TExtras } from '../extras/contract.js';
import type { TPreChatAnswers } from './form-types.js';
import { panelCards } from './panel-cards.js';
import { LIMITS } from '../transport/protocol.js';

export type { TPreChatAnswers, TWidgetController, TWidgetControllerDeps };
export { normalizeBody, toIdentifyPayload };

/** Wires the concern modules to each other and the controller's public methods to them. */
export function createWidgetController(
  deps: TWidgetControllerDeps,
  /** Tests pass the lazily loaded modules here; the browser takes them from extras.js. */
  modules?: TLazyModules,
): TWidgetController {
  const core = createCore(deps);
  const { get, set, keys, typing } = core;
  const messages = createMessages(core);
  const identity = createIdentity(core);
  const signals = createLiveSignals(core);
  const connection = createConnection(core, messages, identity, signals);
  let lastUnread = -1;
  let uploads: ReturnType<TLazyModules['createUploads']> | undefined;
  let submits: ReturnType<TLazyModules['createFormSubmits']> | undefined;
  // extras.js carries the lazy modules beside what TExtras names (src/extras/index.ts).
  const lazy = (x: TExtras | null | undefined) => modules ?? (x as (TExtras & TLazyModules) | null | undefined);
  /** The forms render only once extras.js is there, so their submissions are there too. */
  const forms = () => (submits ??= lazy(get().extras)!.createFormSubmits(core));

  /** The uploads concern lives in extras.js: the first file picked fetches it. */
  function withUploads(fn: (u: NonNullable<typeof uploads>) => void) {
    const loaded = lazy(get().extras);
    if (loaded) return fn((uploads ??= loaded.createUploads(core)));
    deps.loadExtras?.().then(
      (x) => fn((uploads ??= lazy(x)!.createUploads(core))),
      () => set({ notice: 'Upload failed: network error' }),
    );
  }

  function setOpen(isOpen: boolean) {
    if (get().isOpen === isOpen) return;
    deps.session.set(keys.open, isOpen ? '1' : '0');
    set({ isOpen });
    core.notify(isOpen ? 'open' : 'close');
    if (!isOpen) return typing.stop();
    messages.markReadIfSeen();
    // The server refused us earlier (e.g. origin not allowed): opening the chat is a good moment to try again.
    const { phase, willRetry } = get().connection;
    if (phase !== 'connected' && !willRetry) core.transport?.retry();
  }

  // Keep the page informed of the unread count (badge) as it changes, and fetch extras.js once a form is due.
  deps.store.subscribe((s) => {
    if (s.isOpen && !s.extras && Object.values(panelCards(s)).some(Boolean)) identity.needExtras();
    const unread = countUnread(s.chat, s.lastReadSeq);
    if (unread !== lastUnread) core.notify('unread', (lastUnread = unread));
  });

  // The modules' own methods are the controller's (a few internals come along; the UI only sees TWidgetController).
  return {
    ...messages,
    ...identity,
    submitPreChat: (answers) => forms().submitPreChat(answers),
    dismissPreChat: () => forms().dismissPreChat(),
    submitAwayEmail: (email) => forms().submitAwayEmail(email),
    submitCsat: (score, comment) => forms().submitCsat(score, comment),
    addFiles(files) {
      // Copied now: the composer empties its file input right after this call, which empties a live FileList.
      const list = Array.from(files);
      withUploads((u) => u.addFiles(list));
    },
    removeUpload: (id) => uploads?.removeUpload(id),
    start: connection.start,
    reportPages: connection.reportPages,
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!get().isOpen),
    onInput(text) {
      const length = text.trim().length;
      typing.input(!!length);
      // The counter appears near the limit; nothing is cut (send() refuses a body over it, the text stays).
      const draft = length < LIMITS.messageBodyMax - 500 ? 0 : length;
      if (draft !== get().draft) set({ draft });
    },
    onBlur: typing.stop,
    tool(tool) {
      set({ tool: get().tool === tool ? null : tool });
      identity.needExtras();
    },
    request: core.request,
    onPageVisible() {
      messages.markReadIfSeen();
      void messages.syncHistory();
    },
    destroy() {
      core.isDestroyed = true;
      typing.stop();
      signals.stop();
      uploads?.abortAll();
      core.transport?.close();
      core.transport = null;
    },
  };
}
