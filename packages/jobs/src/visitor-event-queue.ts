import type { Redis } from 'ioredis';
import { ZVisitorPushEvent, type TVisitorPushEvent } from '@pocketping/protocol';

/**
 * Events the customer's backend sent to a visitor who had no widget open (`pushVisitorEvent`): a bounded list per
 * visitor in Redis, delivered by realtime when one of the visitor's widgets connects. The oldest are dropped past
 * `VISITOR_EVENT_QUEUE_MAX`, and the list expires after `VISITOR_EVENT_QUEUE_TTL_S` without a new event.
 */
export const VISITOR_EVENT_QUEUE_MAX = 50;
export const VISITOR_EVENT_QUEUE_TTL_S = 7 * 24 * 3600;

/** The Redis list of a visitor's queued events. */
export const visitorEventQueueKey = (prefix: string, visitorId: string) => `${prefix}:vq:${visitorId}`;
const key = visitorEventQueueKey;

export async function queueVisitorEvent(
  redis: Redis,
  prefix: string,
  visitorId: string,
  event: TVisitorPushEvent,
): Promise<void> {
  const k = key(prefix, visitorId);
  await redis
    .multi()
    .rpush(k, JSON.stringify(event))
    .ltrim(k, -VISITOR_EVENT_QUEUE_MAX, -1)
    .expire(k, VISITOR_EVENT_QUEUE_TTL_S)
    .exec();
}

/** Takes every queued event of the visitor, oldest first, in one atomic step (two takers never share one). */
export async function takeVisitorEvents(redis: Redis, prefix: string, visitorId: string): Promise<TVisitorPushEvent[]> {
  const k = key(prefix, visitorId);
  const res = await redis.multi().lrange(k, 0, -1).del(k).exec();
  const raw = (res?.[0]?.[1] as string[] | undefined) ?? [];
  const out: TVisitorPushEvent[] = [];
  for (const r of raw) {
    try {
      const parsed = ZVisitorPushEvent.safeParse(JSON.parse(r));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // A malformed entry (never written by this code) is dropped rather than blocking the rest.
    }
  }
  return out;
}
