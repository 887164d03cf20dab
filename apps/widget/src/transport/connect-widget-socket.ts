import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { TMessage, TSendMessage, TSessionEvent, TWidgetAuth } from '@pocketping/protocol';
import { parseAck, parseMessage, parseSessionEvent, pickHistoryAck, pickSendAck } from './parse-payloads.js';
import type { TTransportResult } from './parse-payloads.js';
import { WidgetEvents } from './protocol.js';
import { resolveSocketTarget } from './socket-target.js';

interface TServerToClientEvents {
  [WidgetEvents.session]: (payload: unknown) => void;
  [WidgetEvents.message]: (payload: unknown) => void;
}

interface TClientToServerEvents {
  [WidgetEvents.send]: (payload: TSendMessage, ack: (res: unknown) => void) => void;
  [WidgetEvents.history]: (payload: { afterSeq: number; limit: number }, ack: (res: unknown) => void) => void;
}

export interface TTransportHandlers {
  /** `isReconnect` is false for the first successful connect of this transport. */
  onConnect(isReconnect: boolean): void;
  onDisconnect(reason: string, willReconnect: boolean): void;
  /** `message` is what the server passed to `next(new Error(...))` in its middleware, e.g. 'origin not allowed'. */
  onConnectError(message: string, willRetry: boolean): void;
  onSession(session: TSessionEvent): void;
  onMessage(message: TMessage): void;
}

export interface TWidgetTransport {
  sendMessage(payload: TSendMessage): Promise<TTransportResult<{ message: TMessage; duplicate: boolean }>>;
  requestHistory(afterSeq: number, limit: number): Promise<TTransportResult<{ messages: TMessage[]; hasMore: boolean }>>;
  isConnected(): boolean;
  /** Connects again after the server refused us (socket.io does not retry a middleware rejection by itself). */
  retry(): void;
  close(): void;
}

export interface TConnectOptions {
  realtimeUrl: string;
  /** Called on every (re)connect: the visitor token may have been issued since the last one. */
  getAuth: () => TWidgetAuth;
  handlers: TTransportHandlers;
  ackTimeoutMs: number;
}

export type TConnectTransport = (options: Omit<TConnectOptions, 'realtimeUrl'>) => TWidgetTransport;

export function connectWidgetSocket({ realtimeUrl, getAuth, handlers, ackTimeoutMs }: TConnectOptions): TWidgetTransport {
  const target = resolveSocketTarget(realtimeUrl);
  const socket: Socket<TServerToClientEvents, TClientToServerEvents> = io(target.url, {
    path: target.path,
    auth: (cb) => cb(getAuth()),
    reconnectionDelayMax: 10_000,
  });

  let hasConnected = false;
  socket.on('connect', () => {
    handlers.onConnect(hasConnected);
    hasConnected = true;
  });
  socket.on('disconnect', (reason) => handlers.onDisconnect(reason, socket.active));
  socket.on('connect_error', (err) => handlers.onConnectError(err.message || 'connection failed', socket.active));
  socket.on(WidgetEvents.session, (payload) => {
    const session = parseSessionEvent(payload);
    if (session) handlers.onSession(session);
    else console.warn('[PocketPing] ignored a malformed session event');
  });
  socket.on(WidgetEvents.message, (payload) => {
    const message = parseMessage(payload);
    if (message) handlers.onMessage(message);
    else console.warn('[PocketPing] ignored a malformed message event');
  });

  const timeoutError = { ok: false as const, error: { code: 'timeout', message: 'No answer from the server' } };

  return {
    async sendMessage(payload) {
      try {
        return parseAck(await socket.timeout(ackTimeoutMs).emitWithAck(WidgetEvents.send, payload), pickSendAck);
      } catch {
        return timeoutError;
      }
    },
    async requestHistory(afterSeq, limit) {
      try {
        return parseAck(await socket.timeout(ackTimeoutMs).emitWithAck(WidgetEvents.history, { afterSeq, limit }), pickHistoryAck);
      } catch {
        return timeoutError;
      }
    },
    isConnected: () => socket.connected,
    retry() {
      if (!socket.active) socket.connect();
    },
    close() {
      socket.removeAllListeners();
      socket.disconnect();
    },
  };
}
