import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TLogger } from '@pocketping/core';
import { noteVisitorLeft } from '@pocketping/conversations';
import type { TDb } from '@pocketping/db';
import { ZVisitorLeftJob, getVisitorGeneration, isVisitorConnected, type TProducer } from '@pocketping/jobs';

export interface TVisitorJobDeps {
  db: TDb;
  redis: Redis;
  redisPrefix: string;
  producer: TProducer;
  log: TLogger;
}

/**
 * visitor.left — the visitor's last socket closed a while ago. Void if they connected since (the generation moved
 * on) or a socket is open on a live node; otherwise the conversation action `noteVisitorLeft` writes the internal
 * "Visitor left" note (inbox only, never the widget or the chat apps).
 */
export async function processVisitorLeftJob(deps: TVisitorJobDeps, job: Job): Promise<{ outcome: string }> {
  const data = ZVisitorLeftJob.parse(job.data);
  const { organizationId, visitorId } = data;
  if ((await getVisitorGeneration(deps.redis, deps.redisPrefix, visitorId)) !== data.generation)
    return { outcome: 'came back' };
  if (await isVisitorConnected(deps.redis, deps.redisPrefix, visitorId)) return { outcome: 'still connected' };

  // The job id is per visitor and generation: a retried job finds its own note instead of adding a second one.
  const outcome = await noteVisitorLeft(deps, organizationId, {
    visitorId,
    key: `vl-${data.generation}-${job.timestamp}`,
  });
  return { outcome };
}
