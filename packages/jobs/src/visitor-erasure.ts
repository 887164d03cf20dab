import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { aiAgainKey } from './ai-timer.js';
import { QUEUES } from './names.js';
import { bullPrefix, type TRedisConfig } from './redis.js';
import { visitorConnectionKeys } from './visitor-connections.js';
import { visitorEventQueueKey } from './visitor-event-queue.js';

/**
 * The Redis side of a visitor's erasure, after the rows are gone: the events queued for their widget (content the
 * customer's backend sent), their connection counters, the conversations' typing and AI flags, and every job kept in
 * Redis (waiting, delayed, or done and kept for a while) whose id names one of their conversations — the reply emails
 * to the visitor (address and the team's words), the AI timers — and every email whose content does: the team's wait
 * notices and digests quoting them. A job running at that moment is not removed; it finds no rows.
 * Best effort and idempotent: the caller logs a failure, and a second call finds nothing.
 */
export async function forgetVisitorInRedis(
  redis: Redis,
  cfg: TRedisConfig,
  input: { visitorId: string; conversationIds: string[] },
): Promise<{ keys: number; jobs: number }> {
  const k = visitorConnectionKeys(cfg.prefix);
  const keys = [
    visitorEventQueueKey(cfg.prefix, input.visitorId),
    k.counts(input.visitorId),
    k.generation(input.visitorId),
    ...input.conversationIds.flatMap((c) => [
      `${cfg.prefix}:typing:visitor:${c}`,
      `${cfg.prefix}:typing:signalled:${c}`,
      aiAgainKey(cfg.prefix, c),
    ]),
  ];
  // One key per call: under Redis Cluster these live in different slots.
  let deleted = 0;
  for (const key of keys) deleted += await redis.del(key);

  if (input.conversationIds.length === 0) return { keys: deleted, jobs: 0 };
  // BullMQ keeps a job's hash at `<prefix>:<queue>:<jobId>`; job ids never contain ':' (ours are built that way), so
  // a key with exactly one more segment after the queue is a job, and its id names the conversation when it
  // contains it. One pass over the queues' keys.
  const prefix = bullPrefix(cfg);
  const ids = [...new Set(input.conversationIds)];
  const names = (text: string) => ids.some((id) => text.includes(id));
  const found = new Map<string, Set<string>>();
  const add = (queue: string, jobId: string) => {
    if (!found.has(queue)) found.set(queue, new Set());
    found.get(queue)!.add(jobId);
  };
  // An email whose id names no conversation can still be about one: a wait notice (named after its notice) or a
  // digest quote the visitor and link to the conversation, sent or still queued. Its content is read.
  const mailJobs: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      const [queue, jobId, ...rest] = key.slice(prefix.length + 1).split(':');
      if (!queue || !jobId || rest.length > 0) continue;
      if (names(jobId)) add(queue, jobId);
      else if (queue === QUEUES.mail) mailJobs.push(jobId);
    }
  } while (cursor !== '0');
  for (const jobId of mailJobs) {
    // (The queue's own keys — its lists, sets, stream, counters — have the same shape: not a hash with data.)
    const data = await redis.hget(`${prefix}:${QUEUES.mail}:${jobId}`, 'data').catch(() => null);
    if (data !== null && names(data)) add(QUEUES.mail, jobId);
  }
  let jobs = 0;
  for (const [name, jobIds] of found) {
    const queue = new Queue(name, { connection: redis, prefix });
    queue.on('error', () => undefined);
    try {
      for (const jobId of jobIds) jobs += await queue.remove(jobId).catch(() => 0); // a locked (running) job stays
    } finally {
      await queue.close();
    }
  }
  return { keys: deleted, jobs };
}
