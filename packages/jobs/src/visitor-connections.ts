import type { Redis } from 'ioredis';
import { hashTag } from './redis-keys.js';

/**
 * Which visitors have a socket open, across every realtime node, robust to a node dying without cleaning up:
 * - `vc:<visitor>` is a hash nodeId → open sockets of that visitor on that node;
 * - `node:<nodeId>` is a heartbeat key each live node refreshes; counts of a node whose heartbeat expired are ignored;
 * - `vgen:<visitor>` counts connections ever made: a "visitor left" check scheduled at generation N is void once
 *   the visitor connected again (generation > N), even if they left again since (that disconnect scheduled its own).
 */
export interface TVisitorConnections {
  readonly nodeId: string;
  /** A socket of this visitor connected on this node; returns the new generation. */
  connected(visitorId: string): Promise<number>;
  /** A socket closed on this node; `connected` is whether any socket of the visitor is still open anywhere. */
  disconnected(visitorId: string): Promise<{ generation: number; connected: boolean }>;
  /** Refreshes this node's heartbeat (call every few seconds). */
  heartbeat(): Promise<void>;
  /** Clean shutdown: drop this node's heartbeat. */
  stop(): Promise<void>;
}

export const NODE_HEARTBEAT_TTL_S = 30;
const RETENTION_S = 24 * 3600;

/**
 * Redis Cluster: a visitor's count and generation change in one MULTI (tagged by the visitor); the heartbeats are
 * read with one EXISTS over several nodes (tagged together — a handful of keys).
 */
export const visitorConnectionKeys = (prefix: string) => ({
  counts: (visitorId: string) => `${prefix}:vc:${hashTag(visitorId)}`,
  generation: (visitorId: string) => `${prefix}:vgen:${hashTag(visitorId)}`,
  node: (nodeId: string) => `${prefix}:node:${hashTag('nodes')}:${nodeId}`,
});
const keys = visitorConnectionKeys;

export function createVisitorConnections(redis: Redis, prefix: string, nodeId: string): TVisitorConnections {
  const k = keys(prefix);
  return {
    nodeId,
    async connected(visitorId) {
      const res = await redis
        .multi()
        .hincrby(k.counts(visitorId), nodeId, 1)
        .expire(k.counts(visitorId), RETENTION_S)
        .incr(k.generation(visitorId))
        .expire(k.generation(visitorId), RETENTION_S)
        .exec();
      return Number(res?.[2]?.[1] ?? 0);
    },
    async disconnected(visitorId) {
      const res = await redis.multi().hincrby(k.counts(visitorId), nodeId, -1).get(k.generation(visitorId)).exec();
      const mine = Number(res?.[0]?.[1] ?? 0);
      if (mine <= 0) await redis.hdel(k.counts(visitorId), nodeId);
      return { generation: Number(res?.[1]?.[1] ?? 0), connected: await isVisitorConnected(redis, prefix, visitorId) };
    },
    async heartbeat() {
      await redis.set(k.node(nodeId), '1', 'EX', NODE_HEARTBEAT_TTL_S);
    },
    async stop() {
      await redis.del(k.node(nodeId));
    },
  };
}

/** Whether any live node holds a socket of this visitor. */
export async function isVisitorConnected(redis: Redis, prefix: string, visitorId: string): Promise<boolean> {
  const k = keys(prefix);
  const counts = await redis.hgetall(k.counts(visitorId));
  const nodes = Object.entries(counts)
    .filter(([, n]) => Number(n) > 0)
    .map(([node]) => node);
  if (nodes.length === 0) return false;
  const alive = await redis.exists(...nodes.map((n) => k.node(n)));
  return alive > 0;
}

/** The visitor's connection generation (see TVisitorConnections). */
export async function getVisitorGeneration(redis: Redis, prefix: string, visitorId: string): Promise<number> {
  return Number((await redis.get(keys(prefix).generation(visitorId))) ?? 0);
}
