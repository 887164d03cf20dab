import {
  WidgetEvents,
  type TAiStreamEvent,
  type TConversationEvent,
  type TMessage,
  type TPresenceEvent,
  type TReceiptEvent,
  type TTypingEvent,
} from '@pocketping/protocol';

/**
 * The part of a Socket.IO emitter these helpers need: `new Emitter(redis, { key }).of('/widget')` from
 * @socket.io/redis-emitter (worker, web) or the realtime server's own namespace both fit, so this package needs
 * neither socket.io nor the emitter as a dependency.
 */
export interface TRoomEmitter {
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
}

/** Rooms of the widget namespace. Every realtime node joins sockets to these; anyone with the emitter can push. */
export const widgetRooms = {
  /** Every tab of one visitor. */
  visitor: (visitorId: string) => `visitor:${visitorId}`,
  /** Every tab showing one conversation. */
  conversation: (conversationId: string) => `conv:${conversationId}`,
  /** Every widget of one project (operator presence). */
  project: (projectId: string) => `project:${projectId}`,
  /** The tabs of a project's visitors whose open conversation started beyond the plan's quota: always shown away. */
  overQuota: (projectId: string) => `over-quota:${projectId}`,
};

/** Server → widget pushes, one function per event of the protocol table in ARCHITECTURE.md. */
export interface TWidgetPush {
  /** A public message. Never call it with an internal one: the widget would show it. */
  message(conversationId: string, message: TMessage): void;
  /** Operator (or AI) typing; the widget clears it by itself after a few seconds without a refresh. */
  typing(conversationId: string, event: TTypingEvent): void;
  /** Receipts are watermarks: everything up to `seq` was delivered to the team's apps / read by an operator. */
  receipt(event: TReceiptEvent): void;
  /** Closed (with csatRequested when the project asks for a rating) or reopened. */
  conversation(event: TConversationEvent): void;
  presence(projectId: string, event: TPresenceEvent): void;
  /** An AI answer being written (ephemeral: only the stored message that follows counts). */
  aiStream?(event: TAiStreamEvent): void;
}

export function createWidgetPush(emitter: TRoomEmitter): TWidgetPush {
  return {
    message: (conversationId, message) =>
      void emitter.to(widgetRooms.conversation(conversationId)).emit(WidgetEvents.message, message),
    typing: (conversationId, event) =>
      void emitter.to(widgetRooms.conversation(conversationId)).emit(WidgetEvents.typing, event),
    receipt: (event) =>
      void emitter.to(widgetRooms.conversation(event.conversationId)).emit(WidgetEvents.receipt, event),
    conversation: (event) =>
      void emitter.to(widgetRooms.conversation(event.conversationId)).emit(WidgetEvents.conversation, event),
    presence: (projectId, event) => void emitter.to(widgetRooms.project(projectId)).emit(WidgetEvents.presence, event),
    aiStream: (event) =>
      void emitter.to(widgetRooms.conversation(event.conversationId)).emit(WidgetEvents.aiStream, event),
  };
}
