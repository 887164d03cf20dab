import {
  deleteExpiredConversations,
  effectiveRetentionDays,
  listOrganizationProjectIds,
  listOrganizationsDueForPurge,
  listOrganizationsWithPendingPlatformDeletions,
  listProjectsForRetention,
  pruneInternalRows,
  purgeOrganizationRow,
  type TInternalPruneResult,
} from '@pocketping/db';
import { deleteStoredFiles } from '@pocketping/storage';
import type { TWorkerContext } from '../context.js';
import { deletePlatformPosts } from './delete-platform-posts.js';

const DAY_MS = 86_400_000;

export interface TPrivacyPassResult {
  conversations: number;
  visitors: number;
  files: number;
  internal: TInternalPruneResult;
  organizationsPurged: number;
  platformPostsDeleted: number;
}

export interface TPrivacyPassOptions {
  now?: () => Date;
  /** Rows per statement (default 500). */
  batch?: number;
}

/**
 * The worker's privacy pass (the `privacy.pass` repeatable job, and tests call it directly):
 * 1. each project's conversations past its retention (the project's days capped by the plan's) are deleted with
 *    everything in them, files' bytes after the commit;
 * 2. the internal tables lose their rows past INTERNAL_RETENTION_DAYS;
 * 3. organizations whose deletion grace ended are purged (conversations and files in batches, then the row);
 * 4. chat-app posts queued by erasures are deleted on their platform.
 * Every step deletes in bounded batches of rows no one else holds (FOR UPDATE SKIP LOCKED), so two workers running
 * it at once split the work; what fails is due again next pass.
 */
export async function runPrivacyPass(ctx: TWorkerContext, opts: TPrivacyPassOptions = {}): Promise<TPrivacyPassResult> {
  const now = opts.now ?? (() => new Date());
  const batch = opts.batch ?? 500;
  const result: TPrivacyPassResult = {
    conversations: 0,
    visitors: 0,
    files: 0,
    internal: {
      outbox: 0,
      inbound: 0,
      webhookDeliveries: 0,
      webhookAttempts: 0,
      stripeEvents: 0,
      audit: 0,
      platformDeletions: 0,
      idempotencyKeys: 0,
    },
    organizationsPurged: 0,
    platformPostsDeleted: 0,
  };

  const emptyProject = async (organizationId: string, projectId: string, cutoff: Date, reason: string) => {
    for (;;) {
      const r = await deleteExpiredConversations(ctx.db, { organizationId, projectId, cutoff, batch });
      result.conversations += r.conversations;
      result.visitors += r.visitors;
      result.files += await deleteStoredFiles(ctx.storage, r.storageKeys, {
        log: ctx.log,
        tenantId: organizationId,
        reason,
      });
      if (r.conversations < batch && r.visitors < batch) return;
    }
  };

  // 1. Conversations past their project's retention.
  const planDays = new Map<string, number | null>();
  let after: string | null = null;
  for (;;) {
    const projects = await listProjectsForRetention(ctx.db, after, 200);
    if (projects.length === 0) break;
    for (const p of projects) {
      after = p.projectId;
      try {
        if (!planDays.has(p.organizationId))
          planDays.set(p.organizationId, (await ctx.limits.entitlements(p.organizationId)).limits.retentionDays);
        const days = effectiveRetentionDays(p.retentionDays, planDays.get(p.organizationId) ?? null);
        if (days === null) continue;
        await emptyProject(p.organizationId, p.projectId, new Date(now().getTime() - days * DAY_MS), 'retention');
      } catch (err) {
        ctx.log.warn(
          { tenantId: p.organizationId, projectId: p.projectId, err: err instanceof Error ? err.message : String(err) },
          'retention: project skipped this pass',
        );
      }
    }
  }

  // 2. Internal rows.
  for (;;) {
    const r = await pruneInternalRows(ctx.db, { now: now(), batch });
    let any = false;
    for (const k of Object.keys(r) as (keyof TInternalPruneResult)[]) {
      result.internal[k] += r[k];
      if (r[k] >= batch) any = true;
    }
    if (!any) break;
  }

  // 3. Organizations whose deletion grace ended.
  for (const organizationId of await listOrganizationsDueForPurge(ctx.db, now(), 50)) {
    try {
      const end = new Date(now().getTime() + DAY_MS);
      for (const projectId of await listOrganizationProjectIds(ctx.db, organizationId))
        await emptyProject(organizationId, projectId, end, 'organization purge');
      if (await purgeOrganizationRow(ctx.db, organizationId, now())) {
        result.organizationsPurged += 1;
        ctx.log.info({ tenantId: organizationId }, 'organization purged (its deletion grace ended)');
      }
    } catch (err) {
      ctx.log.warn(
        { tenantId: organizationId, err: err instanceof Error ? err.message : String(err) },
        'organization purge failed (retried next pass)',
      );
    }
  }

  // 4. Chat-app posts of erased visitors.
  for (const organizationId of await listOrganizationsWithPendingPlatformDeletions(ctx.db, 100)) {
    const r = await deletePlatformPosts(ctx, { organizationId, now });
    result.platformPostsDeleted += r.done;
  }
  return result;
}
