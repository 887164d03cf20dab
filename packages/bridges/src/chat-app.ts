import type { TLogger } from '@pocketping/core';
import type { TBridgesConfig } from './config.js';
import type { TDiscordGatewayPorts } from './discord/start-discord-gateway.js';
import type { TInboundOrdering } from './inbound-order.js';
import type { TInboundPorts, TWebhookEndpoint } from './inbound-ports.js';
import type { TChatAppSetup } from './setup-ports.js';
import type { TTelegramPollingPorts } from './telegram/long-polling.js';
import type { TTransportRuntimePorts } from './transport-ports.js';
import type { TBridge, TBridgeKind } from './types.js';

/**
 * Everything the worker wires once for its transport runner: storing deliveries, the shared lease and store, and the
 * platform reads the transports need (a new platform whose transport needs another read adds its ports type here).
 */
export type TTransportPorts = TInboundPorts & TTransportRuntimePorts & TTelegramPollingPorts & TDiscordGatewayPorts;

/** A long-running inbound connection the worker keeps open (long polling, a socket, a gateway). */
export interface TRunningTransport {
  close(): Promise<void>;
}

export interface TInboundTransport {
  /** For logs: 'telegram-polling', 'slack-socket-mode', 'discord-gateway'. */
  readonly name: string;
  /** Starts in the background: a platform outage or a bad token never stops the worker. */
  start(ports: TTransportPorts, log: TLogger): TRunningTransport;
}

/**
 * One chat app, end to end, as its folder exports it: the bridge (render, send, inbound parsing), how its inbound
 * deliveries are ordered, its setup from the dashboard and OAuth finishing (served by the web app's catch-all routes
 * /api/app/…/bridges/setup/<kind>[/<step>] and /api/integrations/<kind>/<action>), and the inbound transports it has
 * — a webhook the web app's catch-all route serves (/api/webhooks/<kind>[/…]), a long-running transport the
 * worker's runner starts. The registry lists one of these per platform.
 */
export interface TChatApp {
  readonly kind: TBridgeKind;
  createBridge(config: TBridgesConfig): TBridge;
  inboundOrdering(payload: unknown): TInboundOrdering;
  /** Dashboard setup steps, browser install steps, the test message and what a disconnect undoes. */
  setup: TChatAppSetup;
  createWebhook?(config: TBridgesConfig): TWebhookEndpoint;
  /** Null when this server is not configured for it (no app token, polling turned off…). */
  createTransport?(config: TBridgesConfig): TInboundTransport | null;
}
