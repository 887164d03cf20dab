import { DelayedError, type Job } from 'bullmq';
import {
  finishInboundEvent,
  getInboundEvent,
  listPendingInboundOfGroup,
  recordInboundAttempt,
  type TInboundEvent,
} from '@pocketping/db';
import { ZInboundJob } from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';
import { RetryLaterError } from './inbound-scope.js';
import { processInboundEvent } from './process-inbound.js';

const BATCH = 20;
/** An event that fails this many times for no known reason is set aside (status failed) so its thread moves on. */
const MAX_ATTEMPTS = 8;

/**
 * bridge.inbound — one job per stored delivery, but the events of one platform thread are applied one at a time, in
 * the platform's order (update_id, ts, snowflake), however many jobs and workers run: whoever holds the thread's
 * lease applies every ready pending event of the thread, lowest order key first. A job that finds the thread being
 * drained flags it and ends (the holder drains again before it lets go), so its event is never left behind. An
 * event not ready yet (held back for an earlier delivery that may still be in flight) stops the drain, and the job
 * comes back when it is ready: nothing overtakes it. Different threads run in parallel.
 */
export async function processInboundJob(
  ctx: TWorkerContext,
  job: Job,
  token: string | undefined,
): Promise<{ outcome: string }> {
  const { organizationId, inboundEventId } = ZInboundJob.parse(job.data);
  const event = await getInboundEvent(ctx.db, organizationId, inboundEventId);
  if (!event || event.status !== 'pending') return { outcome: 'already processed' };
  if (event.groupKey === null) return applyOne(ctx, event);

  const lockKey = `${event.connectionId}:${event.groupKey}`;
  // No "done" hints are kept for inbound events (the status read above is the early exit), so this never says done.
  const lease = await ctx.inboundLock.acquireUnlessDone(lockKey, event.id);
  if (lease === 'done' || lease === null) return { outcome: 'thread being drained by another job' };
  // Renewed in the background while held, so the TTL can stay short: a killed holder blocks its thread only briefly.
  const stopKeepAlive = ctx.inboundLock.keepAlive(lockKey, lease);
  let released = false;
  try {
    let applied = 0;
    for (;;) {
      const r = await drainGroup(
        ctx,
        { organizationId, connectionId: event.connectionId, groupKey: event.groupKey },
        () => ctx.inboundLock.extend(lockKey, lease),
      );
      applied += r.applied;
      if (r.readyAt !== null) {
        await ctx.inboundLock.release(lockKey, lease);
        released = true;
        await job.moveToDelayed(r.readyAt, token);
        throw new DelayedError();
      }
      released = await ctx.inboundLock.releaseIfClean(lockKey, lease);
      if (released) return { outcome: `applied ${applied}` };
    }
  } finally {
    stopKeepAlive();
    if (!released) await ctx.inboundLock.release(lockKey, lease);
  }
}

/** Applies the thread's ready events in order; stops at the first one not ready yet and says when it will be. */
async function drainGroup(
  ctx: TWorkerContext,
  group: { organizationId: string; connectionId: string; groupKey: string },
  extendLease: () => Promise<boolean>,
): Promise<{ applied: number; readyAt: number | null }> {
  let applied = 0;
  for (;;) {
    const events = await listPendingInboundOfGroup(ctx.db, group.organizationId, {
      connectionId: group.connectionId,
      groupKey: group.groupKey,
      limit: BATCH,
    });
    for (const ev of events) {
      if (ev.readyAt.getTime() > Date.now()) return { applied, readyAt: ev.readyAt.getTime() };
      if (!(await extendLease())) throw new Error('lost the inbound thread lease; another worker continues');
      await applyOne(ctx, ev);
      applied += 1;
    }
    if (events.length < BATCH) return { applied, readyAt: null };
  }
}

/**
 * One event, with failure accounting: "retry later" (the thread is not recorded yet) stops the drain as it is —
 * the events behind it are about the same thread and wait with it. Any other failure is counted; past
 * MAX_ATTEMPTS the event is set aside as failed (logged) so one poisoned delivery cannot hold its thread forever.
 */
async function applyOne(ctx: TWorkerContext, event: TInboundEvent): Promise<{ outcome: string }> {
  try {
    return await processInboundEvent(ctx, event);
  } catch (err) {
    if (err instanceof RetryLaterError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const attempts = await recordInboundAttempt(ctx.db, event.organizationId, event.id, message);
    if (attempts < MAX_ATTEMPTS) throw err;
    ctx.log.error(
      {
        tenantId: event.organizationId,
        connectionId: event.connectionId,
        inboundEventId: event.id,
        attempts,
        err: message,
      },
      'inbound event keeps failing; set aside',
    );
    await finishInboundEvent(ctx.db, event.organizationId, event.id, { status: 'failed', error: message });
    return { outcome: 'failed' };
  }
}
