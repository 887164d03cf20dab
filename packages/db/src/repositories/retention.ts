import type { TDb } from '../client.js';
import { pruneIdempotencyKeys } from './api.js';

/**
 * How long the internal rows are kept (days), whatever the plan: they serve delivery, dedupe and debugging, and
 * without a bound these tables grow forever. A pending row (still to deliver or apply) is never deleted by age.
 * docs/privacy.md lists the same figures.
 */
export const INTERNAL_RETENTION_DAYS = {
  /** Outbox rows done or dead (a dead row is shown on no page; its message stays). */
  outbox: 14,
  /** Inbound platform deliveries applied, ignored or failed (the dedupe window of every platform is far shorter). */
  inbound: 14,
  /** Outbound webhook deliveries delivered or failed, and every attempt in the delivery log. */
  webhooks: 30,
  /** Stripe events processed (billing is re-read from Stripe; the row is the dedupe of a redelivery). */
  stripeEvents: 90,
  /** The audit log. */
  audit: 365,
  /** Chat-app deletions done or given up. */
  platformDeletions: 30,
  /** Stored REST answers of an Idempotency-Key (docs/api.md: one day). */
  idempotencyKeys: 1,
} as const;

const DAY_MS = 86_400_000;

export interface TRetentionProject {
  organizationId: string;
  projectId: string;
  retentionDays: number | null;
}

/** Projects in id order after `afterId` (the retention pass pages through every project). */
export async function listProjectsForRetention(
  db: TDb,
  afterId: string | null,
  limit: number,
): Promise<TRetentionProject[]> {
  const rows = await db.project.findMany({
    where: afterId ? { id: { gt: afterId } } : {},
    orderBy: { id: 'asc' },
    take: limit,
    select: { organizationId: true, id: true, retentionDays: true },
  });
  return rows.map((r) => ({ organizationId: r.organizationId, projectId: r.id, retentionDays: r.retentionDays }));
}

/**
 * The days a project's conversations are kept: its own setting, capped by the plan's (null = the plan keeps forever
 * and so does the project unless it set a figure).
 */
export function effectiveRetentionDays(projectDays: number | null, planDays: number | null): number | null {
  if (projectDays === null) return planDays;
  if (planDays === null) return projectDays;
  return Math.min(projectDays, planDays);
}

export interface TExpiredBatch {
  conversations: number;
  visitors: number;
  /** Storage keys of the deleted attachments: their bytes are the caller's to delete (after the commit). */
  storageKeys: string[];
}

/**
 * Deletes at most `batch` conversations of one project whose last activity (last message, else creation) is before
 * `cutoff`, with everything in them by cascade (messages, files' rows — the storage meter gives their bytes back —,
 * chat-app threads and message mappings, outbox rows, AI replies), the webhook deliveries about them, and the
 * project's visitors left with no conversation and not seen since the cutoff. Rows another pass holds are skipped
 * (two workers never delete the same rows; whatever is skipped is due again next pass). Idempotent.
 */
export async function deleteExpiredConversations(
  db: TDb,
  input: { organizationId: string; projectId: string; cutoff: Date; batch: number },
): Promise<TExpiredBatch> {
  const { organizationId, projectId, cutoff, batch } = input;
  return db.$transaction(async (tx) => {
    const doomed = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Conversation"
      WHERE "organizationId" = ${organizationId} AND "projectId" = ${projectId}
        AND ("lastMessageAt" < ${cutoff} OR ("lastMessageAt" IS NULL AND "createdAt" < ${cutoff}))
      ORDER BY "lastMessageAt" NULLS FIRST
      LIMIT ${batch}
      FOR UPDATE SKIP LOCKED`;
    const ids = doomed.map((r) => r.id);
    let storageKeys: string[] = [];
    if (ids.length > 0) {
      storageKeys = (
        await tx.attachment.findMany({
          where: { organizationId, conversationId: { in: ids } },
          select: { storageKey: true },
        })
      ).map((a) => a.storageKey);
      await deleteConversationSideRows(tx, organizationId, ids);
      await tx.conversation.deleteMany({ where: { organizationId, id: { in: ids } } });
    }
    const visitors = await tx.$executeRaw`
      DELETE FROM "Visitor" v
      WHERE v.id IN (
        SELECT id FROM "Visitor"
        WHERE "organizationId" = ${organizationId} AND "projectId" = ${projectId} AND "lastSeenAt" < ${cutoff}
          AND NOT EXISTS (SELECT 1 FROM "Conversation" c WHERE c."organizationId" = ${organizationId} AND c."visitorId" = "Visitor".id)
        LIMIT ${batch}
        FOR UPDATE SKIP LOCKED)`;
    return { conversations: ids.length, visitors, storageKeys };
  });
}

/**
 * Rows about conversations that no foreign key cascades from them: outbox rows without a message (thread cards),
 * webhook deliveries (their payloads carry the conversation; attempts cascade), the AI meter's link.
 */
export async function deleteConversationSideRows(
  tx: Pick<TDb, 'outboxEvent' | 'webhookDelivery' | 'aiUsage'>,
  organizationId: string,
  conversationIds: string[],
): Promise<void> {
  if (conversationIds.length === 0) return;
  await tx.outboxEvent.deleteMany({ where: { organizationId, conversationId: { in: conversationIds } } });
  await tx.webhookDelivery.deleteMany({ where: { organizationId, groupKey: { in: conversationIds } } });
  await tx.aiUsage.updateMany({
    where: { organizationId, conversationId: { in: conversationIds } },
    data: { conversationId: null },
  });
}

export interface TInternalPruneResult {
  outbox: number;
  inbound: number;
  webhookDeliveries: number;
  webhookAttempts: number;
  stripeEvents: number;
  audit: number;
  platformDeletions: number;
  idempotencyKeys: number;
}

/**
 * One batch of each internal table's rows past its retention (INTERNAL_RETENTION_DAYS); call again while anything
 * was deleted. Every statement deletes by primary key from a LIMITed index scan, so a large backlog never holds long
 * locks, and concurrent passes only find less to do.
 */
export async function pruneInternalRows(
  db: TDb,
  input: { now: Date; batch: number; days?: Partial<Record<keyof typeof INTERNAL_RETENTION_DAYS, number>> },
): Promise<TInternalPruneResult> {
  const days = { ...INTERNAL_RETENTION_DAYS, ...input.days };
  const before = (d: number) => new Date(input.now.getTime() - d * DAY_MS);
  const n = input.batch;
  const outbox = await db.$executeRaw`
    DELETE FROM "OutboxEvent" WHERE id IN (
      SELECT id FROM "OutboxEvent" WHERE "createdAt" < ${before(days.outbox)} AND status <> 'pending' LIMIT ${n})`;
  const inbound = await db.$executeRaw`
    DELETE FROM "InboundEvent" WHERE id IN (
      SELECT id FROM "InboundEvent" WHERE "createdAt" < ${before(days.inbound)} AND status <> 'pending' LIMIT ${n})`;
  const webhookAttempts = await db.$executeRaw`
    DELETE FROM "WebhookAttempt" WHERE id IN (
      SELECT id FROM "WebhookAttempt" WHERE "createdAt" < ${before(days.webhooks)} LIMIT ${n})`;
  const webhookDeliveries = await db.$executeRaw`
    DELETE FROM "WebhookDelivery" WHERE id IN (
      SELECT id FROM "WebhookDelivery" WHERE "createdAt" < ${before(days.webhooks)} AND status <> 'pending' LIMIT ${n})`;
  const stripeEvents = await db.$executeRaw`
    DELETE FROM "StripeEvent" WHERE id IN (
      SELECT id FROM "StripeEvent"
      WHERE "processedAt" IS NOT NULL AND "receivedAt" < ${before(days.stripeEvents)} LIMIT ${n})`;
  const audit = await db.$executeRaw`
    DELETE FROM "AuditLog" WHERE id IN (
      SELECT id FROM "AuditLog" WHERE "createdAt" < ${before(days.audit)} LIMIT ${n})`;
  const platformDeletions = await db.$executeRaw`
    DELETE FROM "PlatformDeletion" WHERE id IN (
      SELECT id FROM "PlatformDeletion"
      WHERE "createdAt" < ${before(days.platformDeletions)} AND status <> 'pending' LIMIT ${n})`;
  const idempotencyKeys = await pruneIdempotencyKeys(db, before(days.idempotencyKeys));
  return {
    outbox,
    inbound,
    webhookDeliveries,
    webhookAttempts,
    stripeEvents,
    audit,
    platformDeletions,
    idempotencyKeys,
  };
}
