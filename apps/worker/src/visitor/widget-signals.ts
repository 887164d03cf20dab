import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import type { TLogger } from '@pocketping/core';
import { getConversationState, getProject, markOperatorRead, type TDb } from '@pocketping/db';
import { createWidgetPush, isVisitorConnected, socketIoKey, touchOperatorPresence, type TRedisConfig, type TWidgetPush } from '@pocketping/jobs';
import { WIDGET_NAMESPACE, computePresence, parseProjectSettings, type TTypingEvent } from '@pocketping/protocol';

/**
 * What the operator side tells the widget, for the worker (and later the dashboard) to call after the fact it
 * describes. Every call is best effort: a push is at-most-once by nature, the widget re-syncs on reconnect.
 */
export interface TWidgetSignals {
  readonly push: TWidgetPush;
  /** Whether the visitor has a widget connected on a live realtime node right now (for /info). */
  visitorOnline(visitorId: string): Promise<boolean>;
  /** A visitor message (everything up to `seq`) reached the operator's apps: call after a bridge delivery. */
  delivered(input: { conversationId: string; seq: number }): void;
  /**
   * An operator message was stored (an inbound bridge message, a dashboard reply): the operator is active (presence)
   * and has read everything before it (appendMessage already moved operatorLastReadSeq; this tells the widget).
   */
  operatorMessage(input: { organizationId: string; conversationId: string; seq: number; projectId?: string }): Promise<void>;
  /** Operator activity without a message (dashboard open, typing): refreshes presence. */
  operatorActive(input: { organizationId: string; projectId: string }): Promise<void>;
  /** An operator read up to `seq` (dashboard): moves the watermark and sends a `read` receipt if it moved. */
  operatorRead(input: { organizationId: string; conversationId: string; seq: number }): Promise<void>;
  /** The conversation was closed or reopened: the widget shows the CSAT prompt (when enabled and not yet rated) or resumes. */
  conversationStatus(input: { organizationId: string; conversationId: string; status: 'open' | 'closed' }): Promise<void>;
  /** Operator typing in one conversation. */
  typing(conversationId: string, event: TTypingEvent): void;
}

/** The widget pushes through the Socket.IO Redis adapter's channel (same key as the realtime nodes). */
export function createWidgetPushFromRedis(redis: Redis, cfg: TRedisConfig): TWidgetPush {
  return createWidgetPush(new Emitter(redis, { key: socketIoKey(cfg) }).of(WIDGET_NAMESPACE));
}

export function createWidgetSignals(deps: { db: TDb; redis: Redis; redisConfig: TRedisConfig; log: TLogger; push?: TWidgetPush }): TWidgetSignals {
  const push = deps.push ?? createWidgetPushFromRedis(deps.redis, deps.redisConfig);

  async function operatorActive(input: { organizationId: string; projectId: string }): Promise<void> {
    const cameOnline = await touchOperatorPresence(deps.redis, deps.redisConfig.prefix, input.projectId);
    if (!cameOnline) return;
    const project = await getProject(deps.db, input.organizationId, input.projectId);
    if (project) push.presence(input.projectId, computePresence(parseProjectSettings(project.settings), true, new Date()));
  }

  return {
    push,
    delivered({ conversationId, seq }) {
      push.receipt({ conversationId, kind: 'delivered', seq });
    },
    visitorOnline: (visitorId) => isVisitorConnected(deps.redis, deps.redisConfig.prefix, visitorId),
    async operatorMessage(input) {
      const projectId = input.projectId ?? (await getConversationState(deps.db, input.organizationId, input.conversationId))?.projectId;
      if (projectId) await operatorActive({ organizationId: input.organizationId, projectId });
      if (input.seq > 1) push.receipt({ conversationId: input.conversationId, kind: 'read', seq: input.seq - 1 });
    },
    operatorActive,
    async operatorRead(input) {
      const r = await markOperatorRead(deps.db, input.organizationId, input.conversationId, input.seq);
      if (r?.moved) push.receipt({ conversationId: input.conversationId, kind: 'read', seq: r.seq });
    },
    async conversationStatus(input) {
      const state = await getConversationState(deps.db, input.organizationId, input.conversationId);
      if (!state) return;
      const project = await getProject(deps.db, input.organizationId, state.projectId);
      const csatEnabled = project ? parseProjectSettings(project.settings).csatEnabled : false;
      push.conversation({
        conversationId: input.conversationId,
        status: input.status,
        csatRequested: input.status === 'closed' && csatEnabled && state.csatScore === null,
      });
    },
    typing(conversationId, event) {
      push.typing(conversationId, event);
    },
  };
}
