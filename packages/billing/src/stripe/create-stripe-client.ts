// The one file of @pocketping/billing that loads the Stripe SDK at run time, exported as `@pocketping/billing/stripe`
// so that code reading plans and billing state (the database layer, pages, realtime) never pulls the SDK in.
import Stripe from 'stripe';

/**
 * The Stripe API version this code is written against. Pinned so a Stripe-side default change never changes the
 * shapes we read (subscription periods live on the items, invoices name their subscription under `parent`).
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

export interface TStripeConfig {
  secretKey: string;
  /** STRIPE_API_HOST / PORT / PROTOCOL: api.stripe.com:443 over https, or the local fake in tests and `npm start`. */
  host: string;
  port: number;
  protocol: 'http' | 'https';
  /** Network retries of the SDK (each create carries our idempotency key, so a retry never creates twice). */
  maxNetworkRetries?: number;
  timeoutMs?: number;
}

export function createStripeClient(cfg: TStripeConfig): Stripe {
  return new Stripe(cfg.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    host: cfg.host,
    port: cfg.port,
    protocol: cfg.protocol,
    maxNetworkRetries: cfg.maxNetworkRetries ?? 2,
    timeout: cfg.timeoutMs ?? 15_000,
    telemetry: false,
    appInfo: { name: 'PocketPing' },
  });
}
