// The real widget — its controller, transport and small Socket.IO client — running in Node over `ws` instead of a
// browser tab: what a visitor's page does on connect, on a dropped or closed connection, on reconnect and resume
// (history after the last seq), without the cost of a Chromium per visitor. No DOM: the state is read from the store.
import { createStore } from '../../apps/widget/src/app/create-store.js';
import { initialState } from '../../apps/widget/src/app/initial-state.js';
import { createWidgetController } from '../../apps/widget/src/app/widget-controller.js';
import type { TWidgetState } from '../../apps/widget/src/app/widget-state.js';
import { createMemoryStore, storageKeys } from '../../apps/widget/src/shared/storage.js';
import { connectWidgetSocket } from '../../apps/widget/src/transport/connect-widget-socket.js';
import type { TWebSocketCtor, TWebSocketLike } from '../../apps/widget/src/transport/mini-socket.js';

// Node 20 has no global WebSocket; `ws` (a root devDependency) has the browser API and lets us set the Origin the
// project's allowlist checks. The specifier is a variable so tsc does not look for its (absent) type declarations.
const wsModule = 'ws';
const { WebSocket: NodeWebSocket } = (await import(wsModule)) as {
  WebSocket: new (url: string, options: { origin: string }) => TWebSocketLike;
};

export interface TNodeWidget {
  state(): TWidgetState;
  /** Bodies of the confirmed messages of the current conversation, in seq order. */
  bodies(): string[];
  isConnected(): boolean;
  send(text: string): void;
  destroy(): void;
}

export function startNodeWidget(opts: { realtimeUrl: string; projectKey: string; origin: string }): TNodeWidget {
  const { origin } = opts;
  const WebSocket: TWebSocketCtor = class extends NodeWebSocket {
    constructor(url: string) {
      super(url, { origin });
    }
  };
  const local = createMemoryStore();
  const store = createStore<TWidgetState>(initialState(local, storageKeys(opts.projectKey), 'en'));
  const controller = createWidgetController({
    config: { projectKey: opts.projectKey, realtimeUrl: opts.realtimeUrl },
    store,
    local,
    session: createMemoryStore(),
    isPageVisible: () => true,
    connect: (options) => connectWidgetSocket({ ...options, realtimeUrl: opts.realtimeUrl, WebSocket }),
  });
  controller.start();
  return {
    state: () => store.get(),
    bodies: () => store.get().chat.messages.map((m) => m.body),
    isConnected: () => store.get().connection.phase === 'connected',
    send(text) {
      if (!controller.send(text)) throw new Error(`the widget refused to send "${text}"`);
    },
    destroy: () => controller.destroy(),
  };
}
