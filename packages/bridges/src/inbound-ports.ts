import type { TLogger } from '@pocketping/core';
import type { TBridgeKind } from './types.js';

/**
 * What the inbound transports of the platform folders (webhook handlers, Telegram long polling, Slack Socket Mode,
 * the Discord gateway) need from the app that runs them. This package never touches the database: each app wires
 * these ports once (apps/web/src/server/chat-apps, apps/worker/src/transports) with its repositories and
 * `ingestInboundEvent`.
 */

/** A stored connection as an inbound transport sees it; the app's own connection rows carry more. */
export interface TInboundConnection {
  id: string;
  organizationId: string;
  projectId: string;
  kind: TBridgeKind;
  targetId: string;
  targetScope: string | null;
  status: string;
}

/** One platform delivery to store as an InboundEvent and hand to the bridge.inbound queue. */
export interface TIngestRequest {
  organizationId: string;
  connectionId: string;
  kind: TBridgeKind;
  /** The platform's id of the delivery (the dedupe key). */
  externalId: string;
  payload: unknown;
  /** Webhooks only: how long a delivery is held for an earlier one still in flight (INBOUND_REORDER_WINDOW_MS). */
  reorderWindowMs?: number;
  /** The platform id just before this one, where the platform numbers deliveries without gaps (Telegram). */
  previousExternalId?: string;
  /** Webhooks only: an enqueue must not hold the platform's request; past this the sweeper gets the row instead. */
  enqueueTimeoutMs?: number;
  logContext?: Record<string, unknown>;
}

export type TIngestResult = { id: string; outcome: 'stored' | 'duplicate' | 'requeued' };

export interface TInboundPorts {
  /** Stores a delivery (a redelivery is a duplicate) and enqueues it; `log` is the transport's own logger. */
  ingest(log: TLogger, request: TIngestRequest): Promise<TIngestResult>;
  /** Connections (not disabled) of one platform target, e.g. a Slack (team, channel): a system read by platform ids. */
  connectionsByTarget(input: {
    kind: TBridgeKind;
    targetScope: string;
    targetId: string;
  }): Promise<TInboundConnection[]>;
  /** Connections (not disabled) of one platform scope, e.g. every channel of a Slack workspace. */
  connectionsByScope(input: { kind: TBridgeKind; targetScope: string }): Promise<TInboundConnection[]>;
}

/** What a webhook handler needs from the web app: storing deliveries, and the webhook transport's tenant lookup. */
export interface TWebhookPorts extends TInboundPorts {
  log: TLogger;
  /**
   * The connection named in a webhook URL (Telegram: /api/webhooks/telegram/:connectionId), before any tenant is
   * known; the handler authenticates the caller against its stored secret hash before anything else.
   */
  connectionForWebhook(
    connectionId: string,
  ): Promise<(TInboundConnection & { webhookSecretHash: string | null }) | null>;
  /** INBOUND_REORDER_WINDOW_MS: how long a webhook delivery is held for an earlier one still in flight. */
  reorderWindowMs: number;
}

/** One inbound HTTP request to /api/webhooks/<kind>[/…], body already read (size-limited) by the app's route. */
export interface TWebhookRequest {
  /** The path segments after /api/webhooks/<kind> (Telegram: [connectionId]; Slack, Discord: none). */
  path: readonly string[];
  header(name: string): string | null;
  rawBody: string;
}

export interface TWebhookResult {
  status: number;
  body: unknown;
}

/**
 * A platform's inbound webhook: the app's one catch-all route finds it by kind, reads at most `maxBodyBytes` and
 * hands it over. The handler verifies the platform's signature or secret on every request before reading the body.
 */
export interface TWebhookEndpoint {
  maxBodyBytes: number;
  /** How many path segments follow /api/webhooks/<kind>; any other shape is 404 before the body is read. */
  pathSegments: number;
  handle(ports: TWebhookPorts, request: TWebhookRequest): Promise<TWebhookResult>;
}
