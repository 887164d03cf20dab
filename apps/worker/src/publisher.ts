import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { WIDGET_NAMESPACE, WidgetEvents, type TMessage } from '@pocketping/protocol';
import { DASHBOARD_NAMESPACE, createDashboardPush, type TDashboardPush } from '@pocketping/jobs';

/**
 * Pushes to widget sockets from outside the realtime process, through the Socket.IO Redis adapter's channel.
 * At-most-once by nature; the widget's seq resume fills any gap.
 */
export interface TRealtimePublisher {
  messageToConversation(conversationId: string, message: TMessage): void;
  /** Live inbox updates for the team's dashboards (every message, internal notes included; status changes). */
  dashboard?: TDashboardPush;
}

export function createRealtimePublisher(redis: Redis, key: string): TRealtimePublisher {
  const emitter = new Emitter(redis, { key }).of(WIDGET_NAMESPACE);
  return {
    dashboard: createDashboardPush(new Emitter(redis, { key }).of(DASHBOARD_NAMESPACE)),
    messageToConversation(conversationId, message) {
      emitter.to(`conv:${conversationId}`).emit(WidgetEvents.message, message);
    },
  };
}
