import type { TLogger } from '@pocketping/core';
import type { TBridgesConfig, TWebhookPorts } from '@pocketping/bridges';
import {
  resolveConnectionForWebhook,
  resolveConnectionsByScope,
  resolveConnectionsByTarget,
  type TDb,
} from '@pocketping/db';
import { ingestInboundEvent } from '@pocketping/inbound';
import type { TProducer } from '@pocketping/jobs';
import type { TWebEnv } from '../../env';
import { withTimeout } from '../with-timeout';

/**
 * The web app's one wiring of the chat apps' webhook handlers (packages/bridges/src/<kind>/webhook.ts): the
 * webhook transport's tenant lookups, and ingestInboundEvent with the enqueue bounded by the handler's timeout so
 * a slow Redis never holds the platform's request (the sweeper gets the row instead).
 */
export function createWebhookPorts(deps: {
  db: TDb;
  producer: Pick<TProducer, 'enqueueInbound'>;
  log: TLogger;
  reorderWindowMs: number;
}): TWebhookPorts {
  return {
    log: deps.log,
    reorderWindowMs: deps.reorderWindowMs,
    connectionForWebhook: (connectionId) => resolveConnectionForWebhook(deps.db, connectionId),
    connectionsByTarget: (input) => resolveConnectionsByTarget(deps.db, input),
    connectionsByScope: (input) => resolveConnectionsByScope(deps.db, input),
    ingest: (log, { enqueueTimeoutMs, ...request }) =>
      ingestInboundEvent(
        {
          db: deps.db,
          log,
          producer: {
            enqueueInbound: (job) =>
              enqueueTimeoutMs === undefined
                ? deps.producer.enqueueInbound(job)
                : withTimeout(deps.producer.enqueueInbound(job), enqueueTimeoutMs, 'enqueue'),
          },
        },
        request,
      ),
  };
}

/** What the chat apps' webhooks read from the web app's env (secrets that verify each platform's requests). */
export function webhookBridgesConfig(env: TWebEnv): TBridgesConfig {
  return {
    telegram: { apiRoot: env.TELEGRAM_API_ROOT },
    slack: { apiUrl: env.SLACK_API_URL, signingSecret: env.SLACK_SIGNING_SECRET },
    discord: { apiUrl: env.DISCORD_API_URL, publicKey: env.DISCORD_PUBLIC_KEY },
  };
}
