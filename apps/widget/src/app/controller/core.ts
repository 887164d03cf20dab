// What every part of the controller shares: the store, storage keys, the transport of the moment and the few
// helpers around them. One object, created once per widget; the concern modules beside it take it as their only
// argument.
import { storageKeys } from '../../shared/storage.js';
import { createTypingNotifier, type TTypingNotifier } from '../typing-notifier.js';
import type { TSimpleRequest, TWidgetTransport } from '../../transport/connect-widget-socket.js';
import { VISITOR_TOKEN_MAX, VISITOR_TOKEN_MIN } from '../../transport/protocol.js';
import type { TFormState, TWidgetState } from '../widget-state.js';
import type { TWidgetControllerDeps } from './types.js';

export const OFFLINE = { ok: false as const, error: { code: 'offline', message: 'Not connected' } };

export interface TCore {
  deps: TWidgetControllerDeps;
  keys: ReturnType<typeof storageKeys>;
  get: () => TWidgetState;
  set: (patch: Partial<TWidgetState>) => void;
  /** The live transport (null before start and after destroy). */
  transport: TWidgetTransport | null;
  isDestroyed: boolean;
  isConnected(): boolean;
  request: (event: TSimpleRequest, payload: object) => ReturnType<TWidgetTransport['request']>;
  warn(what: string, error: { code: string; message: string }): void;
  setChat(fn: (chat: TWidgetState['chat']) => TWidgetState['chat']): void;
  setForm(form: keyof TWidgetState['forms'], value: TFormState): void;
  setConnection(phase: TWidgetState['connection']['phase'], error?: string | null, willRetry?: boolean): void;
  /** The visitor's own typing, debounced into `typing:update`. */
  typing: TTypingNotifier;
  /** The visitor token the server issued, if this browser kept a well-formed one. */
  visitorToken(): string | null;
  rememberEmail(): void;
  notify: NonNullable<TWidgetControllerDeps['notify']>;
}

export function createCore(deps: TWidgetControllerDeps): TCore {
  const { store, local } = deps;
  const keys = storageKeys(deps.config.projectKey);
  const { get, set } = store;
  const core: TCore = {
    deps,
    keys,
    get,
    set,
    transport: null,
    isDestroyed: false,
    isConnected: () => !!core.transport?.isConnected(),
    request: (event, payload) => (core.transport ? core.transport.request(event, payload) : Promise.resolve(OFFLINE)),
    warn: (what, error) => console.warn(`[PocketPing] ${what}: ${error.code} ${error.message}`),
    setChat: (fn) => store.update((s) => ({ ...s, chat: fn(s.chat) })),
    setForm: (form, value) => set({ forms: { ...get().forms, [form]: value } }),
    setConnection: (phase, error, willRetry = false) =>
      set({ connection: { phase, error: error === undefined ? get().connection.error : error, willRetry } }),
    typing: createTypingNotifier((isTyping) => {
      if (core.isConnected()) void core.request('typingUpdate', { isTyping });
    }),
    visitorToken() {
      const token = local.get(keys.visitor);
      return token && token.length >= VISITOR_TOKEN_MIN && token.length <= VISITOR_TOKEN_MAX ? token : null;
    },
    rememberEmail() {
      local.set(keys.email, '1');
      set({ hasEmail: true });
    },
    notify: deps.notify ?? (() => undefined),
  };
  return core;
}
