import type { Queue } from 'bullmq';
import { listStaleKnowledgeSources, type TDb } from '@pocketping/db';
import { JOBS, KNOWLEDGE_JOB_OPTIONS, knowledgeIndexJobId } from '@pocketping/jobs';

/** States in which a source's job is still on its way: nothing to recover. */
const ALIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * A source left `pending` (its enqueue was lost: Redis away when the web app asked) or `indexing` (its job failed
 * for good, e.g. the database went away mid-crawl) gets its index job again. The job id is the source's generation,
 * so a job still queued or running is left alone and two workers running this pass queue one job; a finished or
 * failed job of that id is removed first (BullMQ would otherwise ignore the add). Returns how many were re-queued.
 */
export async function recoverStaleKnowledgeSources(
  deps: { db: TDb; queue: Queue },
  olderThanMs: number,
): Promise<number> {
  const stale = await listStaleKnowledgeSources(deps.db, { olderThanMs, limit: 200 });
  let requeued = 0;
  for (const s of stale) {
    const jobId = knowledgeIndexJobId(s.id, s.generation);
    const existing = await deps.queue.getJob(jobId);
    if (existing) {
      if (ALIVE.has(await existing.getState())) continue;
      await existing.remove();
    }
    await deps.queue.add(
      JOBS.knowledgeIndex,
      { organizationId: s.organizationId, sourceId: s.id, generation: s.generation },
      { jobId, ...KNOWLEDGE_JOB_OPTIONS },
    );
    requeued += 1;
  }
  return requeued;
}
