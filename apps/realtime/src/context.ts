import type { Redis } from 'ioredis';
import type { Namespace } from 'socket.io';
import type { TVisitorPorts } from '@pocketping/conversations';
import type { TKeyRing, TLogger } from '@pocketping/core';
import type { TDb, TProject, TSql } from '@pocketping/db';
import type { TProducer, TTranscriptJobs, TVisitorConnections, TVisitorJobs, TWidgetPush } from '@pocketping/jobs';
import type { TFileUrlSigner, TStorage, TStorageQuotaFor } from '@pocketping/storage';
import type { TLimits } from '@pocketping/billing';
import type { TInFlight } from './in-flight.js';
import type { TRateLimiter } from './rate-limit.js';
import type { TPresenceWatcher } from './presence/presence-watcher.js';

/** Everything a handler needs, built once per process in server.ts and passed down (no globals). */
export interface TRealtimeContext {
  db: TDb;
  /** Plain node-postgres pool for the send path (a query costs a fraction of the Prisma client's CPU). */
  sql: TSql;
  redis: Redis;
  redisPrefix: string;
  producer: TProducer;
  limiter: TRateLimiter;
  log: TLogger;
  widget: Namespace;
  push: TWidgetPush;
  /** Ports of the visitor-side conversation actions (@pocketping/conversations), wired once in server.ts. */
  actions: TVisitorPorts;
  keyRing: TKeyRing;
  signer: TFileUrlSigner;
  storage: TStorage;
  /** Attachment bytes an organization may store (uploads are refused past it). */
  storageQuotaFor: TStorageQuotaFor;
  /** The plan's limits: the monthly conversation quota when a conversation starts (conversation-start.ts). */
  limits: TLimits;
  connections: TVisitorConnections;
  visitorJobs: TVisitorJobs;
  /** "Email me this conversation" requests, for the worker that sends emails. */
  transcripts: TTranscriptJobs;
  visitorLeftDelayMs: number;
  presence: TPresenceWatcher;
  projectByKey(publicKey: string): Promise<TProject | null>;
  /** The widget events being handled (a draining node waits for them). */
  inFlight: TInFlight;
  /** Reverse proxies trusted to set X-Forwarded-For (see client-ip.ts). */
  trustProxyHops: number;
}
