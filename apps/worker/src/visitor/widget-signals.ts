import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import type { TLogger } from '@pocketping/core';
import type { TDb } from '@pocketping/db';
import {
  createWidgetPush,
  isVisitorConnected,
  socketIoKey,
  type TRedisConfig,
  type TWidgetPush,
} from '@pocketping/jobs';
import { WIDGET_NAMESPACE, type TTypingEvent } from '@pocketping/protocol';

/**
 * What the worker tells widgets beyond the conversation actions (@pocketping/conversations): delivery receipts,
 * operator typing, and whether a visitor is online. Best effort: a push is at-most-once, the widget re-syncs.
 */
export interface TWidgetSignals {
  readonly push: TWidgetPush;
  /** Whether the visitor has a widget connected on a live realtime node right now (for /info). */
  visitorOnline(visitorId: string): Promise<boolean>;
  /** A visitor message (everything up to `seq`) reached the operator's apps: call after a bridge delivery. */
  delivered(input: { conversationId: string; seq: number }): void;
  /** Operator typing in one conversation. */
  typing(conversationId: string, event: TTypingEvent): void;
}

/** The widget pushes through the Socket.IO Redis adapter's channel (same key as the realtime nodes). */
export function createWidgetPushFromRedis(redis: Redis, cfg: TRedisConfig): TWidgetPush {
  return createWidgetPush(new Emitter(redis, { key: socketIoKey(cfg) }).of(WIDGET_NAMESPACE));
}

export function createWidgetSignals(deps: {
  db: TDb;
  redis: Redis;
  redisConfig: TRedisConfig;
  log: TLogger;
  push?: TWidgetPush;
}): TWidgetSignals {
  const push = deps.push ?? createWidgetPushFromRedis(deps.redis, deps.redisConfig);

  return {
    push,
    delivered({ conversationId, seq }) {
      push.receipt({ conversationId, kind: 'delivered', seq });
    },
    visitorOnline: (visitorId) => isVisitorConnected(deps.redis, deps.redisConfig.prefix, visitorId),
    typing(conversationId, event) {
      push.typing(conversationId, event);
    },
  };
}
