import type { Redis } from 'ioredis';
import { decryptSecret, type TKeyRing, type TLogger } from '@pocketping/core';
import type { TBridgeRegistry, TBridgeTarget } from '@pocketping/bridges';
import type { TConnection, TDb } from '@pocketping/db';
import type { TPairLock, TProducer } from '@pocketping/jobs';
import type { TRealtimePublisher } from './publisher.js';

/** What every job processor receives: built once per process, passed down (no globals). */
export interface TWorkerContext {
  db: TDb;
  redis: Redis;
  producer: TProducer;
  bridges: TBridgeRegistry;
  keyRing: TKeyRing;
  lock: TPairLock;
  publisher: TRealtimePublisher;
  log: TLogger;
}

/** Unseals a connection's credentials for the bridge call; the plain value never leaves this call chain. */
export function toBridgeTarget(ctx: TWorkerContext, connection: TConnection): TBridgeTarget {
  return {
    connectionId: connection.id,
    credentials: JSON.parse(decryptSecret(ctx.keyRing, connection.sealedCredentials)) as unknown,
    targetId: connection.targetId,
    targetScope: connection.targetScope,
  };
}
