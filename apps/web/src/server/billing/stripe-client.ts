import type { TStripe } from '@pocketping/billing';
import { createStripeClient } from '@pocketping/billing/stripe';
import type { TWebEnv } from '../../env';

let cached: { key: string; client: TStripe } | undefined;

/** The Stripe client of the web app, or null when billing is off (no STRIPE_SECRET_KEY). */
export function getStripe(
  env: Pick<TWebEnv, 'STRIPE_SECRET_KEY' | 'STRIPE_API_HOST' | 'STRIPE_API_PORT' | 'STRIPE_API_PROTOCOL'>,
): TStripe | null {
  if (!env.STRIPE_SECRET_KEY) return null;
  if (cached?.key === env.STRIPE_SECRET_KEY) return cached.client;
  const client = createStripeClient({
    secretKey: env.STRIPE_SECRET_KEY,
    host: env.STRIPE_API_HOST,
    port: env.STRIPE_API_PORT,
    protocol: env.STRIPE_API_PROTOCOL,
  });
  cached = { key: env.STRIPE_SECRET_KEY, client };
  return client;
}
