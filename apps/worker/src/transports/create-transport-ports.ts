import type { BridgeError, TTransportPorts } from '@pocketping/bridges';
import { decryptSecret } from '@pocketping/core';
import {
  findDiscordThreadOwners,
  getConnection,
  listDiscordThreadsForBackfill,
  listLiveInboundMessageIds,
  listTelegramConnectionsForPolling,
  resolveConnectionsByScope,
  resolveConnectionsByTarget,
} from '@pocketping/db';
import { ingestInboundEvent } from '@pocketping/inbound';
import { createPairLock } from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';
import { recordFailure } from '../delivery/connection-health.js';

/**
 * The worker's one wiring of the chat apps' inbound transports (packages/bridges: Telegram long polling, Slack Socket
 * Mode, the Discord gateway): the repositories they read by platform ids, ingestInboundEvent, a Redis lease and
 * store under `redisPrefix`, and the connection-health path for a revoked token.
 */
export function createTransportPorts(ctx: TWorkerContext, redisPrefix: string): TTransportPorts {
  return {
    ingest: (log, { enqueueTimeoutMs: _unused, ...request }) =>
      ingestInboundEvent({ db: ctx.db, producer: ctx.producer, log }, request),
    connectionsByTarget: (input) => resolveConnectionsByTarget(ctx.db, input),
    connectionsByScope: (input) => resolveConnectionsByScope(ctx.db, input),
    telegramConnectionsForPolling: (limit) => listTelegramConnectionsForPolling(ctx.db, { limit }),
    discordThreadOwners: (input) => findDiscordThreadOwners(ctx.db, input),
    discordThreadsForBackfill: (input) => listDiscordThreadsForBackfill(ctx.db, input),
    liveInboundMessageIds: (organizationId, input) => listLiveInboundMessageIds(ctx.db, organizationId, input),
    createLease: (ttlMs) => createPairLock(ctx.redis, redisPrefix, ttlMs),
    store: {
      get: (key) => ctx.redis.get(`${redisPrefix}:${key}`),
      set: async (key, value, ttlSeconds) => {
        await ctx.redis.set(`${redisPrefix}:${key}`, value, 'EX', ttlSeconds);
      },
    },
    unsealCredentials: (sealed) => JSON.parse(decryptSecret(ctx.keyRing, sealed)) as unknown,
    reportFailure: async (connection, err: BridgeError) => {
      const stored = await getConnection(ctx.db, connection.organizationId, connection.id);
      if (!stored) return;
      // Counted from zero like a first failure, so a breaking error alerts the owner at once.
      await recordFailure(ctx, { ...stored, consecutiveFailures: 0, lastSuccessAt: null, brokenAlertedAt: null }, err);
    },
  };
}
