import type { TVisitorMessagePosted } from '@pocketping/conversations';
import type { TVisitorJobs } from '@pocketping/jobs';

/**
 * Whether a project's visitor messages need the worker (its AI is on, or its team wants waiting-visitor emails),
 * cached per project for `ttlMs` (one query per project and TTL, however many visitors write): the owner changing
 * either applies to messages written after it, within ttlMs. Concurrent misses share one query.
 */
export function createFollowUpGate(
  read: (organizationId: string, projectId: string) => Promise<boolean>,
  ttlMs = 5_000,
  max = 10_000,
) {
  const cache = new Map<string, { at: number; on: Promise<boolean> }>();
  return (organizationId: string, projectId: string): Promise<boolean> => {
    const key = `${organizationId}:${projectId}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.on;
    const on = read(organizationId, projectId);
    if (cache.size >= max) cache.clear();
    cache.set(key, { at: Date.now(), on });
    // A failed read is not remembered: the next message asks again.
    on.catch(() => cache.delete(key));
    return on;
  };
}

/**
 * The visitor-message follow-up realtime wires into the conversation actions (`visitorMessagePosted`): in a project
 * that wants it, a `visitor.posted` job asks the worker to start or move the conversation's AI timer and its
 * waiting-visitor email. Runs after the ack (a failure is logged by the action); the send path's one statement is
 * unchanged. A project that wants neither costs one cached lookup.
 */
export function createVisitorFollowUp(deps: {
  wanted: (organizationId: string, projectId: string) => Promise<boolean>;
  visitorJobs: Pick<TVisitorJobs, 'posted'>;
}) {
  return async (event: TVisitorMessagePosted): Promise<void> => {
    if (!(await deps.wanted(event.organizationId, event.projectId))) return;
    await deps.visitorJobs.posted({
      organizationId: event.organizationId,
      projectId: event.projectId,
      conversationId: event.conversationId,
      seq: event.seq,
    });
  };
}
