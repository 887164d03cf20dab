import type { Redis } from 'ioredis';
import { PRESENCE_ONLINE_MS } from '@pocketping/protocol';
import { hashTag } from './redis-keys.js';

/** Read many at once (MGET), so on Redis Cluster every project's key shares one tag: small keys, few writes. */
export const operatorPresenceKey = (prefix: string, projectId: string) =>
  `${prefix}:presence:${hashTag('presence')}:${projectId}`;
const key = operatorPresenceKey;

/**
 * Records operator activity on a project (a message from any bridge, dashboard activity). The key lives for the
 * online window, so "online" is simply "the key exists". Returns true when this call turned the project from away
 * to online, i.e. when the caller should push a `presence` event; the realtime nodes notice the way back to away.
 */
export async function touchOperatorPresence(
  redis: Redis,
  prefix: string,
  projectId: string,
  nowMs = Date.now(),
): Promise<boolean> {
  // SET … GET returns the previous value atomically (Redis ≥ 6.2): exactly one caller sees the transition.
  const previous = await redis.set(key(prefix, projectId), String(nowMs), 'PX', PRESENCE_ONLINE_MS, 'GET');
  return previous === null;
}

/** Which of these projects have an operator online now (one round trip for many projects). */
export async function getOperatorsOnline(
  redis: Redis,
  prefix: string,
  projectIds: readonly string[],
): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  if (projectIds.length === 0) return out;
  const values = await redis.mget(...projectIds.map((id) => key(prefix, id)));
  projectIds.forEach((id, i) => out.set(id, values[i] !== null && values[i] !== undefined));
  return out;
}
