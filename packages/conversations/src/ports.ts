import type { Redis } from 'ioredis';
import type { TLogger } from '@pocketping/core';
import { getProject, type TDb, type TOutboxRef } from '@pocketping/db';
import {
  touchOperatorPresence,
  type TAiTimer,
  type TDashboardPush,
  type TProducer,
  type TWidgetPush,
} from '@pocketping/jobs';
import { computePresence, parseProjectSettings, type TMessage } from '@pocketping/protocol';

/**
 * What a conversation action needs from the app that runs it, wired once per app: the database, the pushes to
 * widgets and dashboards (through the Socket.IO Redis adapter, whoever the caller is), the delivery queue, operator
 * presence. Every push is best effort (at-most-once; widgets re-sync by seq, dashboards reload on reconnect).
 */
export interface TConversationPorts {
  db: TDb;
  widget: TWidgetPush;
  dashboard: TDashboardPush | null;
  /** Hands outbox rows to the delivery queue. A failure is only logged: the rows are committed, the sweeper delivers. */
  enqueueDeliveries(rows: readonly TOutboxRef[]): Promise<void>;
  /** An operator of the project is active: presence turns "online" for its widgets (pushed when it changes). */
  operatorActive(input: { organizationId: string; projectId: string }): Promise<void>;
  /** Attachment URLs of a pushed message, signed for its conversation (absent: pushed as stored). */
  signFiles?(organizationId: string, message: TMessage): TMessage;
  /**
   * The AI takeover timer (one delayed job per conversation): a human reply cancels it, a visitor message — through
   * the visitor-message action — schedules or moves it. Absent: the app runs without the AI fallback.
   */
  aiTimer?: Pick<TAiTimer, 'schedule' | 'cancel'>;
  log: TLogger;
}

export interface TConversationPortsDeps {
  db: TDb;
  redis: Redis;
  redisPrefix: string;
  widget: TWidgetPush;
  dashboard: TDashboardPush | null;
  producer: Pick<TProducer, 'enqueueDeliveries'>;
  log: TLogger;
  signFiles?: TConversationPorts['signFiles'];
  aiTimer?: TConversationPorts['aiTimer'];
}

export function createConversationPorts(deps: TConversationPortsDeps): TConversationPorts {
  return {
    db: deps.db,
    widget: deps.widget,
    dashboard: deps.dashboard,
    log: deps.log,
    ...(deps.signFiles ? { signFiles: deps.signFiles } : {}),
    ...(deps.aiTimer ? { aiTimer: deps.aiTimer } : {}),
    async enqueueDeliveries(rows) {
      if (rows.length === 0) return;
      await deps.producer.enqueueDeliveries(rows).catch((err: unknown) =>
        deps.log.warn(
          {
            err: err instanceof Error ? err.message : String(err),
            tenantId: rows[0]?.organizationId,
            conversationId: rows[0]?.conversationId,
          },
          'enqueue failed; the sweeper will deliver',
        ),
      );
    },
    async operatorActive({ organizationId, projectId }) {
      const cameOnline = await touchOperatorPresence(deps.redis, deps.redisPrefix, projectId);
      if (!cameOnline) return;
      const project = await getProject(deps.db, organizationId, projectId);
      if (project)
        deps.widget.presence(projectId, computePresence(parseProjectSettings(project.settings), true, new Date()));
    },
  };
}
