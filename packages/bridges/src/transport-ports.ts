import type { BridgeError } from './bridge-error.js';
import type { TInboundConnection } from './inbound-ports.js';

/** A lease shared by every worker process (Redis): one holder per key until released or expired. */
export interface TLease {
  acquire(key: string): Promise<string | null>;
  /** False when the lease was lost meanwhile (expired and taken, or Redis forgot it). */
  extend(key: string, token: string): Promise<boolean>;
  release(key: string, token: string): Promise<void>;
}

/** Small values shared by every worker process (Redis, under the app's key prefix), each with an expiry. */
export interface TSharedStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

/** What the long-running transports (polling, sockets, gateways) need besides storing deliveries. */
export interface TTransportRuntimePorts {
  /** A lease held `ttlMs` unless extended. */
  createLease(ttlMs: number): TLease;
  store: TSharedStore;
  /** Unseals stored credentials (throws when they cannot be: wrong key ring, corrupt value). */
  unsealCredentials(sealed: string): unknown;
  /**
   * A transport found a connection unusable (its token was revoked): the same path as a failed delivery — counted,
   * marked broken with a readable reason when the error says so, the owner alerted once per outage.
   */
  reportFailure(connection: TInboundConnection, err: BridgeError): Promise<void>;
}
