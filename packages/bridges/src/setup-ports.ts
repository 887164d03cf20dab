import type { TLogger } from '@pocketping/core';
import type { ZodType } from 'zod';
import type { TBridgesConfig } from './config.js';
import type { TInboundConnection } from './inbound-ports.js';
import type { TBridgeKind } from './types.js';

/**
 * What a chat app's dashboard setup and OAuth finishing (`<kind>/setup.ts`) need from the web app. This package never
 * touches the database, Redis, the session or AUTH_SECRET: the web app wires these ports once
 * (apps/web/src/server/chat-apps/setup-ports.ts) with its repositories, the key ring, its signed state and its
 * tenancy wrapper's session check.
 */

/** Whose setup this is: resolved by the web app's tenancy wrapper (member with the admin role), never by a payload. */
export interface TSetupScope {
  organizationId: string;
  projectId: string;
  userId: string;
}

/**
 * Half-finished setups (a Telegram token waiting for its /link code, a Slack token waiting for its channel, the Discord
 * server a project was granted), kept with a lifetime until the last check passes. Values are JSON; tokens inside are
 * sealed by the caller.
 */
export interface TPendingSetups {
  save(kind: string, id: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** Rewrites a pending setup and keeps its remaining lifetime. */
  update(kind: string, id: string, value: unknown): Promise<void>;
  /** Null when missing, expired, malformed or not matching `schema`. */
  load<T>(kind: string, id: string, schema: ZodType<T>): Promise<{ value: T; ttlSeconds: number } | null>;
  delete(kind: string, id: string): Promise<void>;
  /** Runs `fn` under a short lock on this setup (two tabs polling at once), or returns null when it is held. */
  withLock<T>(kind: string, id: string, ms: number, fn: () => Promise<T>): Promise<T | null>;
}

/** A connection to store: credentials already sealed. */
export interface TNewConnection {
  projectId: string;
  kind: TBridgeKind;
  sealedCredentials: string;
  webhookSecretHash?: string | null;
  targetId: string;
  targetScope: string | null;
  targetName?: string | null;
  scopeName?: string | null;
}

/** What the dashboard shows of a connection (never credentials); the web app's connection card. */
export type TSetupConnectionCard = { readonly id: string };

export interface TSetupConnections {
  byTarget(input: { kind: TBridgeKind; targetScope: string; targetId: string }): Promise<TInboundConnection[]>;
  byScope(input: { kind: TBridgeKind; targetScope: string }): Promise<TInboundConnection[]>;
  /** The project's connection of this kind to this target (channel), if any. */
  idInProject(
    scope: { organizationId: string; projectId: string },
    kind: TBridgeKind,
    targetId: string,
  ): Promise<string | null>;
  /** System scan of Telegram connections made before the bot id was recorded (each row keeps its tenant). */
  telegramWithoutBotId(
    limit: number,
  ): Promise<{ organizationId: string; projectId: string; sealedCredentials: string }[]>;
  /** Stores a new connection within the plan's chat-app limit (refused with `plan_limit` beyond it). */
  create(organizationId: string, input: TNewConnection): Promise<{ id: string }>;
  /** A reinstall: new credentials (and names) for an existing connection, which is active again. */
  replaceCredentials(
    organizationId: string,
    connectionId: string,
    sealedCredentials: string,
    names: { targetName?: string | null; scopeName?: string | null },
  ): Promise<void>;
  card(organizationId: string, projectId: string, connectionId: string): Promise<TSetupConnectionCard | null>;
  recordFailure(
    organizationId: string,
    connectionId: string,
    input: { error: string; broken?: boolean },
  ): Promise<void>;
}

export interface TSetupAuditEntry {
  actorType: 'user' | 'system';
  actorId?: string;
  action: string;
  targetType: string;
  targetId: string;
  metadata?: Record<string, string>;
}

export interface TSetupPorts {
  log: TLogger;
  /** Each platform's API root and the shared apps' credentials (client id/secret, bot token). */
  config: TBridgesConfig;
  /** The dashboard's public URL: OAuth redirect URIs, webhook URLs, the pages a callback sends the browser back to. */
  webPublicUrl: string;
  pending: TPendingSetups;
  /** Seals with the key ring, like stored credentials. */
  seal(plain: string): string;
  unseal(sealed: string): string;
  /** An expiring, signed OAuth `state` under a purpose (a Slack state is never accepted by the Discord callback). */
  signState(purpose: string, fields: Record<string, unknown>, ttlSeconds: number, nowMs?: number): string;
  verifyState<T>(purpose: string, state: string, schema: ZodType<T>, nowMs?: number): T | null;
  /**
   * An OAuth callback of a dashboard install: is the browser signed in as the user the state names, and still at
   * least an admin of the organization? (The web app's tenancy wrapper answers, from the request's cookies.)
   */
  checkInstaller(input: {
    organizationId: string;
    userId: string;
    cookie: string | null;
  }): Promise<'ok' | 'signed_out' | 'not_admin'>;
  /**
   * What an `Authorization: Bearer ppk_…` header proves (the API-key tenancy): its organization, scopes and optional
   * project restriction; null for no key, an unknown or a revoked one.
   */
  apiKey(
    authorization: string | null,
  ): Promise<{ organizationId: string; scopes: readonly string[]; projectId: string | null } | null>;
  /** A project of that organization, or null (also for another organization's). */
  project(organizationId: string, projectId: string): Promise<{ id: string; name: string } | null>;
  connections: TSetupConnections;
  audit(organizationId: string, entry: TSetupAuditEntry): Promise<void>;
}

/** A dashboard step's answer: JSON for the page, or a redirect (to a platform's consent screen). */
export type TSetupAnswer = { json: unknown } | { redirect: string };

/**
 * One step of a chat app's setup from the dashboard, served at
 * /api/app/orgs/:orgId/projects/:projectId/bridges/setup/<kind>[/<step>] behind the tenancy wrapper (admin).
 */
export interface TSetupStep {
  method: 'GET' | 'POST';
  /** Validates the query string (GET) or the JSON body (POST); a failure is 400 naming the field. */
  input?: ZodType<unknown>;
  /** Counted per user before the step runs (token checks call the platform). */
  rateLimit?: { bucket: string; max: number; windowSeconds: number };
  /**
   * The step that begins connecting one more chat app (token check, "Add to Slack", the install link): the web app
   * asks the plan first, so nobody walks through a platform's screens only to be refused at the end. A full project
   * is refused (`json`: 403 naming the limit) or sent back to its setup page with the message (`redirect`).
   */
  opensSetup?: 'json' | 'redirect';
  run(ports: TSetupPorts, scope: TSetupScope, input: unknown): Promise<TSetupAnswer>;
}

/** Typed helper: a step whose `run` receives what its schema parsed. */
export function setupStep<T>(step: {
  method: 'GET' | 'POST';
  input: ZodType<T>;
  rateLimit?: TSetupStep['rateLimit'];
  opensSetup?: TSetupStep['opensSetup'];
  run(ports: TSetupPorts, scope: TSetupScope, input: T): Promise<TSetupAnswer>;
}): TSetupStep {
  return step as unknown as TSetupStep;
}

/** A cookie a browser step sets (or clears, with maxAge 0). */
export interface TBrowserCookie {
  name: string;
  value: string;
  options: { httpOnly?: boolean; sameSite?: 'lax'; secure?: boolean; path: string; maxAge: number };
}

/** One browser-facing install step (GET /api/integrations/<kind>/<action>): "Add to Slack", an OAuth redirect. */
export interface TBrowserRequest {
  /** The query string as one value per name (the last one when a name repeats). */
  query: Record<string, string>;
  /** One query parameter, its first value when it repeats. */
  param(name: string): string | undefined;
  header(name: string): string | null;
}
export type TBrowserAnswer = ({ redirect: string } | { status: number; body: unknown }) & {
  cookies?: TBrowserCookie[];
};
export type TBrowserAction = (ports: TSetupPorts, request: TBrowserRequest) => Promise<TBrowserAnswer>;

/** A stored connection as the test message and the disconnect see it (credentials unsealed). */
export interface TSetupConnection {
  id: string;
  organizationId: string;
  /** Unseals and parses the stored credentials (throws when they cannot be). */
  credentials(): unknown;
  targetId: string;
  webhookSecretHash: string | null;
}

/**
 * A chat app's setup, as its folder exports it (`TChatApp.setup`): the dashboard steps, the browser steps (OAuth
 * redirect URIs are registered with the platform as /api/integrations/<kind>/<action>), the dashboard's "Send a test
 * message", and what a disconnect undoes on the platform.
 */
export interface TChatAppSetup {
  /** By step name; '' is /bridges/setup/<kind> itself. */
  steps: Record<string, TSetupStep>;
  browser?: Record<string, TBrowserAction>;
  /** A plain post in the connection's chat or channel; a platform refusal throws a BridgeError. */
  postTestMessage(config: TBridgesConfig, connection: TSetupConnection, text: string): Promise<void>;
  /** Best effort, before the row is deleted (Telegram: remove the webhook so Telegram stops posting to a 404). */
  beforeDisconnect?(config: TBridgesConfig, connection: TSetupConnection, log: TLogger): Promise<void>;
}
