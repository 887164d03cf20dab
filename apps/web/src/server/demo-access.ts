import type { TWebEnv } from '../env';

/**
 * Which project /demo may show. The page embeds a widget on the dashboard's own origin, so in production it must
 * not take any tenant's public key from the URL (`/demo?key=pk_…` would put another organization's chat — and its
 * visitors' sessions — on our origin). Outside development it shows only DEMO_PROJECT_KEY, the project `npm start`
 * bootstraps; without one the page does not exist. In development any key may be previewed.
 */
export function demoProjectKey(
  env: Pick<TWebEnv, 'NODE_ENV' | 'DEMO_PROJECT_KEY'>,
  requested: string | undefined,
): { key: string } | { key: null; reason: 'not_found' | 'no_demo' } {
  if (env.NODE_ENV === 'development') {
    const key = requested || env.DEMO_PROJECT_KEY;
    return key ? { key } : { key: null, reason: 'no_demo' };
  }
  if (!env.DEMO_PROJECT_KEY) return { key: null, reason: 'not_found' };
  if (requested !== undefined && requested !== env.DEMO_PROJECT_KEY) return { key: null, reason: 'not_found' };
  return { key: env.DEMO_PROJECT_KEY };
}
