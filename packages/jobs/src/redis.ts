import { Redis, type RedisOptions } from 'ioredis';
import { hashTag } from './redis-keys.js';

export interface TRedisConfig {
  url: string;
  /** Namespaces every key and channel (BullMQ, Socket.IO adapter) so several stacks can share one Redis. */
  prefix: string;
  /**
   * REDIS_CLUSTER=on: BullMQ's keys get a hash tag (`{<prefix>:bull}`), as Redis Cluster needs every key of a queue
   * in one slot (its scripts touch several). Off by default: switching it moves the queues to new keys.
   */
  cluster?: boolean;
}

/**
 * A Redis connection. BullMQ workers (blocking commands) need `maxRetriesPerRequest: null`; producers keep a
 * bounded retry so a Redis outage fails an enqueue quickly (the outbox sweeper re-enqueues later).
 */
export function createRedis(url: string, kind: 'worker' | 'producer' | 'pubsub', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: kind === 'producer' ? 2 : null,
    enableOfflineQueue: kind !== 'producer',
    connectTimeout: 5_000,
    lazyConnect: false,
    ...extra,
  });
}

export function bullPrefix(cfg: TRedisConfig): string {
  return cfg.cluster ? hashTag(`${cfg.prefix}:bull`) : `${cfg.prefix}:bull`;
}

export function socketIoKey(cfg: TRedisConfig): string {
  return `${cfg.prefix}:sio`;
}
