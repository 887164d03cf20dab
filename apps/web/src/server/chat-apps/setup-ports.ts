import type { Redis } from 'ioredis';
import type { TLimits } from '@pocketping/billing';
import type { TBridgesConfig, TSetupPorts } from '@pocketping/bridges';
import { decryptSecret, encryptSecret, type TKeyRing, type TLogger } from '@pocketping/core';
import {
  createConnection,
  findProjectConnectionIdByTarget,
  getConnectionCard,
  getProject,
  listTelegramConnectionsWithoutBotId,
  recordConnectionFailure,
  replaceConnectionCredentials,
  resolveApiKey,
  resolveConnectionsByScope,
  resolveConnectionsByTarget,
  writeAuditLog,
  type TDb,
  type TAuditOrigin,
} from '@pocketping/db';
import type { TWebEnv } from '../../env';
import { chatAppGuard } from '../billing/chat-app-guard';
import type { TWebContext } from '../context';
import { signState, verifyState } from '../signed-state';
import { checkInstaller } from '../tenancy';
import { createPendingSetups } from './pending-setups';

/** The settings the chat apps' setup reads from the web app's env: API roots and the shared apps' credentials. */
export function setupBridgesConfig(env: TWebEnv): TBridgesConfig {
  return {
    telegram: { apiRoot: env.TELEGRAM_API_ROOT },
    slack: { apiUrl: env.SLACK_API_URL, clientId: env.SLACK_CLIENT_ID, clientSecret: env.SLACK_CLIENT_SECRET },
    discord: {
      apiUrl: env.DISCORD_API_URL,
      botToken: env.DISCORD_BOT_TOKEN,
      applicationId: env.DISCORD_APPLICATION_ID,
      clientSecret: env.DISCORD_CLIENT_SECRET,
    },
  };
}

export interface TSetupPortsDeps {
  db: TDb;
  keyRing: TKeyRing;
  log: TLogger;
  /** The plan's chat-app count per project. */
  limits: Pick<TLimits, 'entitlements'>;
  redis: Redis;
  redisPrefix: string;
  config: TBridgesConfig;
  webPublicUrl: string;
  authSecret: string;
  /** The request the setup runs for: its audit entries record where it came from. */
  origin: TAuditOrigin;
}

/**
 * The web app's one wiring of the chat apps' setup (packages/bridges/src/<kind>/setup.ts): repositories for
 * connections and audit, the key ring, pending setups in Redis, the OAuth state signed with AUTH_SECRET, and the
 * tenancy checks (session + role for OAuth callbacks, API key for API installs).
 */
export function createSetupPorts(deps: TSetupPortsDeps): TSetupPorts {
  const { db } = deps;
  return {
    log: deps.log,
    config: deps.config,
    webPublicUrl: deps.webPublicUrl,
    pending: createPendingSetups(deps.redis, deps.redisPrefix),
    seal: (plain) => encryptSecret(deps.keyRing, plain),
    unseal: (sealed) => decryptSecret(deps.keyRing, sealed),
    signState: (purpose, fields, ttlSeconds, nowMs) => signState(deps.authSecret, purpose, fields, ttlSeconds, nowMs),
    verifyState: (purpose, state, schema, nowMs) => verifyState(deps.authSecret, purpose, state, schema, nowMs),
    checkInstaller: (input) => checkInstaller(db, deps.authSecret, input),
    apiKey: async (authorization) => {
      const key = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
      const resolved = key ? await resolveApiKey(db, key) : null;
      return resolved
        ? { organizationId: resolved.organizationId, scopes: resolved.scopes, projectId: resolved.projectId }
        : null;
    },
    project: async (organizationId, projectId) => {
      const p = await getProject(db, organizationId, projectId);
      return p ? { id: p.id, name: p.name } : null;
    },
    connections: {
      byTarget: (input) => resolveConnectionsByTarget(db, input),
      byScope: (input) => resolveConnectionsByScope(db, input),
      idInProject: (scope, kind, targetId) => findProjectConnectionIdByTarget(db, scope, kind, targetId),
      telegramWithoutBotId: (limit) => listTelegramConnectionsWithoutBotId(db, limit),
      create: async (organizationId, input) =>
        createConnection(db, organizationId, input, {
          withinLimit: await chatAppGuard(deps.limits, organizationId),
        }),
      replaceCredentials: (organizationId, connectionId, sealed, names) =>
        replaceConnectionCredentials(db, organizationId, connectionId, sealed, names),
      card: (organizationId, projectId, connectionId) => getConnectionCard(db, organizationId, projectId, connectionId),
      recordFailure: (organizationId, connectionId, input) =>
        recordConnectionFailure(db, organizationId, connectionId, input),
    },
    audit: (organizationId, entry) => writeAuditLog(db, organizationId, entry, deps.origin),
  };
}

/** The setup ports of this process for one request (they hold no state of their own). */
export function setupPortsOf(app: TWebContext, origin: TAuditOrigin): TSetupPorts {
  return createSetupPorts({
    db: app.db,
    keyRing: app.keyRing,
    log: app.log,
    limits: app.limits,
    redis: app.producer.redis,
    redisPrefix: app.env.REDIS_PREFIX,
    config: setupBridgesConfig(app.env),
    webPublicUrl: app.env.WEB_PUBLIC_URL,
    authSecret: app.env.AUTH_SECRET,
    origin,
  });
}
