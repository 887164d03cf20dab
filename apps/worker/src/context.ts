import type { Redis } from 'ioredis';
import { decryptSecret, type TKeyRing, type TLogger } from '@pocketping/core';
import type { TBridgeRegistry, TBridgeTarget } from '@pocketping/bridges';
import type { TConversationPorts } from '@pocketping/conversations';
import type { TConnection, TDb, TSql } from '@pocketping/db';
import type { TAiTimer, TNotificationJobs, TPairLock, TProducer, TRateLimiter } from '@pocketping/jobs';
import type { TFileUrlSigner, TStorage, TStorageQuotaFor } from '@pocketping/storage';
import type { TLimits } from '@pocketping/billing';
import type { TWidgetSignals } from './visitor/widget-signals.js';
import type { TAiConfig } from './ai/ai-config.js';

/** What every job processor receives: built once per process, passed down (no globals). */
export interface TWorkerContext {
  db: TDb;
  /** Plain node-postgres pool for the delivery hot path's few statements (see outbox-drain.ts in @pocketping/db). */
  sql: TSql;
  redis: Redis;
  producer: TProducer;
  bridges: TBridgeRegistry;
  keyRing: TKeyRing;
  lock: TPairLock;
  /** Lease per platform thread for inbound events (apps/worker/src/inbound/drain-inbound.ts). */
  inboundLock: TPairLock;
  /** Token buckets per posting target (Telegram group, Slack channel), shared by all worker processes. */
  limiter: TRateLimiter;
  /** Ports of the conversation actions (@pocketping/conversations): pushes to widgets and dashboards, queue, presence. */
  conversations: TConversationPorts;
  /** Delivery receipts, typing and visitor presence for widgets (apps/worker/src/visitor/widget-signals.ts). */
  signals: TWidgetSignals;
  log: TLogger;
  /** Platform files larger than this are refused (inbound and outbound). */
  maxAttachmentBytes: number;
  /** Attachment bytes (same storage as realtime's uploads); without it files are announced by name only. */
  storage: TStorage | null;
  /** Attachment bytes an organization may store; a platform file past it is announced by name instead. */
  storageQuotaFor: TStorageQuotaFor;
  /**
   * The plans' limits: storage above, the monthly usage pass (usage/usage-pass.ts), and `checkAiAllowance` /
   * `recordAiUsage` for the AI replies.
   */
  limits: TLimits;
  /** Signs attachment URLs in messages pushed to the widget (same keys as realtime). */
  fileUrls: TFileUrlSigner | null;
  /** The AI takeover timer (one delayed job per conversation); absent when the worker runs without the AI fallback. */
  aiTimer?: TAiTimer | null;
  /** The AI fallback's provider settings and ports (apps/worker/src/ai/ai-config.ts). */
  ai?: TAiConfig | null;
  /** Schedules waiting-visitor emails (apps/worker/src/notifications); absent when this worker sends no mail. */
  notifications?: TNotificationJobs | null;
}

/** Unseals a connection's credentials for the bridge call; the plain value never leaves this call chain. */
export function toBridgeTarget(ctx: TWorkerContext, connection: TConnection): TBridgeTarget {
  return {
    connectionId: connection.id,
    credentials: JSON.parse(decryptSecret(ctx.keyRing, connection.sealedCredentials)) as unknown,
    targetId: connection.targetId,
    targetScope: connection.targetScope,
  };
}
