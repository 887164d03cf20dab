import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { hashTag } from './redis-keys.js';

export interface TRedisConfig {
  /** One Redis; with `clusterNodes`, only its user, password and TLS (rediss:) are used, for every cluster node. */
  url: string;
  /** Namespaces every key and channel (BullMQ, Socket.IO adapter) so several stacks can share one Redis. */
  prefix: string;
  /**
   * REDIS_CLUSTER=on: BullMQ's keys get a hash tag (`{<prefix>:bull}`), as Redis Cluster needs every key of a queue
   * in one slot (its scripts touch several). Off by default: switching it moves the queues to new keys.
   */
  cluster?: boolean;
  /** REDIS_CLUSTER_NODES: with `cluster`, every client is an ioredis Cluster seeded with these nodes. */
  clusterNodes?: { host: string; port: number }[];
}

/** The Redis settings of an app's validated env (REDIS_URL, REDIS_PREFIX, REDIS_CLUSTER, REDIS_CLUSTER_NODES). */
export function redisConfigFromEnv(env: {
  REDIS_URL: string;
  REDIS_PREFIX: string;
  REDIS_CLUSTER: 'on' | 'off';
  REDIS_CLUSTER_NODES?: { host: string; port: number }[] | undefined;
}): TRedisConfig {
  const cluster = env.REDIS_CLUSTER === 'on';
  return {
    url: env.REDIS_URL,
    prefix: env.REDIS_PREFIX,
    cluster,
    ...(cluster && env.REDIS_CLUSTER_NODES ? { clusterNodes: env.REDIS_CLUSTER_NODES } : {}),
  };
}

/**
 * A Redis connection: the one place clients are made. BullMQ workers (blocking commands) need
 * `maxRetriesPerRequest: null`; producers keep a bounded retry so a Redis outage fails an enqueue quickly (the outbox
 * sweeper re-enqueues later). Given a config with cluster nodes, the client is an ioredis `Cluster`: it is typed as
 * `Redis` because the code uses only what both offer (commands, Lua, pipelines and MULTI on one slot, pub/sub,
 * duplicate, status and events); BullMQ and the Socket.IO adapter and emitter accept either.
 */
export function createRedis(
  target: string | Pick<TRedisConfig, 'url' | 'cluster' | 'clusterNodes'>,
  kind: 'worker' | 'producer' | 'pubsub',
  extra: RedisOptions = {},
): Redis {
  const url = typeof target === 'string' ? target : target.url;
  const options: RedisOptions = {
    maxRetriesPerRequest: kind === 'producer' ? 2 : null,
    connectTimeout: 5_000,
    lazyConnect: false,
    ...extra,
  };
  const enableOfflineQueue = extra.enableOfflineQueue ?? kind !== 'producer';
  if (typeof target !== 'string' && target.cluster && target.clusterNodes?.length) {
    const u = new URL(url);
    const { enableOfflineQueue: _ignored, lazyConnect, ...redisOptions } = options;
    const cluster = new Cluster(target.clusterNodes, {
      enableOfflineQueue,
      enableReadyCheck: true,
      ...(lazyConnect ? { lazyConnect } : {}),
      redisOptions: {
        ...redisOptions,
        ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      },
    });
    return cluster as unknown as Redis;
  }
  return new Redis(url, { ...options, enableOfflineQueue });
}

export function bullPrefix(cfg: TRedisConfig): string {
  return cfg.cluster ? hashTag(`${cfg.prefix}:bull`) : `${cfg.prefix}:bull`;
}

export function socketIoKey(cfg: TRedisConfig): string {
  return `${cfg.prefix}:sio`;
}
