import { z } from 'zod';
import { WIDGET_NAMESPACE, ZSenderKind } from '@pocketping/protocol';
import type { TRoomEmitter } from './widget-push.js';

/**
 * Live updates for the dashboard: realtime's `/dashboard` namespace puts every socket of a member in the room of its
 * organization, and whoever changes a conversation (realtime for widget messages, the worker for bridge messages and
 * commands, the web app for dashboard replies) pushes one small `inbox` event there. The dashboard then reloads what
 * it shows (the event says what changed, not the content), so an event lost in transit is repaired by the next one or
 * by the reload every client does when its socket (re)connects.
 */
export const DASHBOARD_NAMESPACE = '/dashboard';

export const dashboardRooms = {
  organization: (organizationId: string) => `dash:org:${organizationId}`,
};

export const DashboardEvents = {
  /** server → dashboard: a TDashboardEvent. */
  inbox: 'inbox',
  /** dashboard → server: the operator is typing a reply (TDashboardTyping), shown in the visitor's widget. */
  typing: 'typing',
} as const;

const id = z.string().min(1).max(64);

export const ZDashboardEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message'),
    organizationId: id,
    projectId: id,
    conversationId: id,
    seq: z.number().int().nonnegative(),
    change: z.enum(['created', 'edited', 'deleted']),
    sender: ZSenderKind.optional(),
    visibility: z.enum(['public', 'internal']).optional(),
  }),
  z.object({
    type: z.literal('conversation'),
    organizationId: id,
    projectId: id,
    conversationId: id,
    change: z.enum(['opened', 'closed', 'reopened', 'read', 'ai', 'assigned', 'tags']),
  }),
  z.object({
    // The visitor is typing in the widget ("Visitor is typing…" in the inbox); ephemeral, the page does not reload.
    type: z.literal('typing'),
    organizationId: id,
    projectId: id,
    conversationId: id,
    isTyping: z.boolean(),
  }),
  z.object({
    type: z.literal('visitor'),
    organizationId: id,
    projectId: id,
    visitorId: id,
    online: z.boolean(),
  }),
]);
export type TDashboardEvent = z.infer<typeof ZDashboardEvent>;

/** dashboard → server `typing`: the operator's reply box changed (throttled by the client, limited by realtime). */
export const ZDashboardTyping = z.object({ conversationId: id, isTyping: z.boolean() }).strict();
export type TDashboardTyping = z.infer<typeof ZDashboardTyping>;

export interface TDashboardPush {
  event(event: TDashboardEvent): void;
}

/** `emitter` is the `/dashboard` namespace (realtime), `new Emitter(redis).of('/dashboard')` (worker) or a relay (web). */
export function createDashboardPush(emitter: TRoomEmitter): TDashboardPush {
  return {
    event: (event) =>
      void emitter.to(dashboardRooms.organization(event.organizationId)).emit(DashboardEvents.inbox, event),
  };
}

/**
 * Publishing without @socket.io/redis-emitter (the web app does not ship it): a JSON "server-side emit" request on the
 * `/dashboard` namespace's request channel of the Socket.IO Redis adapter — the same message `serverSideEmit` sends.
 * Every realtime node receives it once and hands it to its OWN sockets of the named room (`local`), so a push reaches
 * each socket exactly once. Only the widget and dashboard namespaces are relayed (apps/realtime/src/dashboard).
 */
export const RELAY_EVENT = 'pp:relay';
export const ZRelayRequest = z.object({
  nsp: z.enum([WIDGET_NAMESPACE, DASHBOARD_NAMESPACE]),
  room: z.string().min(1).max(200),
  event: z.string().min(1).max(64),
  args: z.array(z.unknown()).max(4),
});
export type TRelayRequest = z.infer<typeof ZRelayRequest>;

/** The Socket.IO Redis adapter's request type for a server-side emit (@socket.io/redis-adapter RequestType). */
const SERVER_SIDE_EMIT = 6;

export interface TRelayPublisher {
  publish(channel: string, message: string): Promise<unknown>;
}

/** A TRoomEmitter for `nsp` that goes through the relay; `key` is socketIoKey(config). Best effort, errors go to onError. */
export function createRelayEmitter(
  redis: TRelayPublisher,
  key: string,
  nsp: TRelayRequest['nsp'],
  onError: (err: unknown) => void = () => undefined,
): TRoomEmitter {
  const channel = `${key}-request#${DASHBOARD_NAMESPACE}#`;
  return {
    to: (room) => ({
      emit(event, ...args) {
        const request: TRelayRequest = { nsp, room, event, args };
        redis
          .publish(channel, JSON.stringify({ uid: 'pp-relay', type: SERVER_SIDE_EMIT, data: [RELAY_EVENT, request] }))
          .catch(onError);
        return true;
      },
    }),
  };
}
