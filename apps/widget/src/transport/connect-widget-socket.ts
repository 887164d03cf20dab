import type {
  TAiStreamEvent,
  TAttachmentRef,
  TConversationEvent,
  TMessage,
  TPresenceEvent,
  TReceiptEvent,
  TSendMessage,
  TSessionEvent,
  TTypingEvent,
  TWidgetAuth,
} from '@pocketping/protocol';
import { createMiniSocket } from './mini-socket.js';
import type { TConnectError, TWebSocketCtor } from './mini-socket.js';
import {
  parseAck,
  parseAiStream,
  parseConversation,
  parseMessage,
  parsePresence,
  parseReceipt,
  parseSessionEvent,
  parseTyping,
  pickHistoryAck,
  pickOkAck,
  pickSendAck,
} from './parse-payloads.js';
import type { TTransportResult } from './parse-payloads.js';
import { WIDGET_NAMESPACE, WidgetEvents } from './protocol.js';
import { resolveSocketTarget } from './socket-target.js';

export interface TTransportHandlers {
  /** `isReconnect` is false for the first successful connect of this transport. */
  onConnect(isReconnect: boolean): void;
  onDisconnect(reason: string, willReconnect: boolean): void;
  /** `message` is what the server passed to `next(new Error(...))` in its middleware, e.g. 'origin not allowed'. */
  onConnectError(message: string, willRetry: boolean): void;
  onSession(session: TSessionEvent): void;
  onMessage(message: TMessage): void;
  onTyping(event: TTypingEvent): void;
  onReceipt(event: TReceiptEvent): void;
  onConversation(event: TConversationEvent): void;
  onPresence(event: TPresenceEvent): void;
  /** An AI answer as it is written, and how it ended (optional: older hosts of the transport ignore it). */
  onAiStream?(event: TAiStreamEvent): void;
  /** A named event from the customer's backend (pushVisitorEvent) for the page's `PocketPing.on(name, fn)`. */
  onPush?(event: { name: string; data: unknown }): void;
}

/** Widget → server requests that answer with a plain ok ack (identify adds `verified`). */
export type TSimpleRequest =
  'typingUpdate' | 'read' | 'identify' | 'event' | 'preChat' | 'csat' | 'transcript' | 'pages';

export interface TWidgetTransport {
  sendMessage(payload: TSendMessage): Promise<TTransportResult<{ message: TMessage; duplicate: boolean }>>;
  /** `previous`: also the visitor's earlier conversations (the ack's `previous`), asked once per widget. */
  requestHistory(
    afterSeq: number,
    limit: number,
    previous?: boolean,
  ): Promise<TTransportResult<{ messages: TMessage[]; hasMore: boolean; throughSeq?: number; previous?: TMessage[] }>>;
  request(event: TSimpleRequest, payload: object): Promise<TTransportResult<{ verified?: boolean }>>;
  isConnected(): boolean;
  /** Connects again after the server refused us (a final refusal is not retried by itself). */
  retry(): void;
  close(): void;
}

export interface TConnectOptions {
  realtimeUrl: string;
  /** Called on every (re)connect: the visitor token may have been issued since the last one. */
  getAuth: () => TWidgetAuth;
  handlers: TTransportHandlers;
  ackTimeoutMs: number;
  WebSocket?: TWebSocketCtor;
}

export type TConnectTransport = (options: Omit<TConnectOptions, 'realtimeUrl'>) => TWidgetTransport;

export type { TAttachmentRef };

export function connectWidgetSocket({
  realtimeUrl,
  getAuth,
  handlers,
  ackTimeoutMs,
  WebSocket,
}: TConnectOptions): TWidgetTransport {
  const target = resolveSocketTarget(realtimeUrl);
  const socket = createMiniSocket({
    url: new URL(target.url).origin,
    path: target.path,
    namespace: WIDGET_NAMESPACE,
    auth: getAuth,
    reconnectionDelayMax: 10_000,
    ...(WebSocket ? { WebSocket } : {}),
  });

  let hasConnected = false;
  socket.on('connect', () => {
    handlers.onConnect(hasConnected);
    hasConnected = true;
  });
  socket.on('disconnect', (reason) => handlers.onDisconnect(String(reason), socket.active));
  socket.on('connect_error', (err) =>
    handlers.onConnectError((err as TConnectError).message || 'connection failed', socket.active),
  );

  /** Every server → widget event goes through its shape check; a malformed one is dropped with a warning. */
  function listen<T>(event: string, parse: (raw: unknown) => T | null, handle: (value: T) => void) {
    socket.on(event, (raw) => {
      const value = parse(raw);
      if (value) handle(value);
      else console.warn(`[PocketPing] malformed ${event}`);
    });
  }
  listen(WidgetEvents.session, parseSessionEvent, handlers.onSession);
  listen(WidgetEvents.message, parseMessage, handlers.onMessage);
  listen(WidgetEvents.typing, parseTyping, handlers.onTyping);
  listen(WidgetEvents.receipt, parseReceipt, handlers.onReceipt);
  listen(WidgetEvents.conversation, parseConversation, handlers.onConversation);
  listen(WidgetEvents.presence, parsePresence, handlers.onPresence);
  listen(WidgetEvents.aiStream, parseAiStream, (e) => handlers.onAiStream?.(e));
  // A named event from the site's server (VISITOR_PUSH_EVENT of @pocketping/protocol) for PocketPing.on(name, fn).
  socket.on('visitor:event', (e) => handlers.onPush?.(e as { name: string; data: unknown }));

  async function call<T>(
    event: string,
    payload: unknown,
    pick: (ack: Record<string, unknown>) => T | null,
  ): Promise<TTransportResult<T>> {
    try {
      return parseAck(await socket.emitWithAck(event, payload, ackTimeoutMs), pick);
    } catch {
      // Not connected, connection lost while waiting, or no answer in time: the caller checks isConnected().
      return { ok: false, error: { code: 'timeout', message: 'No answer from the server' } };
    }
  }

  socket.connect();
  return {
    sendMessage: (payload) => call(WidgetEvents.send, payload, pickSendAck),
    requestHistory: (afterSeq, limit, previous) =>
      call(WidgetEvents.history, { afterSeq, limit, previous }, pickHistoryAck),
    request: (event, payload) => call(WidgetEvents[event], payload, pickOkAck),
    isConnected: () => socket.connected,
    retry() {
      socket.connect();
    },
    close() {
      socket.disconnect();
    },
  };
}
