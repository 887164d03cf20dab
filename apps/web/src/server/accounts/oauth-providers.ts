import type { TWebEnv } from '../../env';

export interface TOAuthProvider {
  id: 'github' | 'google';
  label: string;
}

/** The OAuth sign-in buttons to show: a provider is offered only when both of its variables are set (as in auth.ts). */
export function oauthProviders(env: TWebEnv): TOAuthProvider[] {
  const out: TOAuthProvider[] = [];
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET) out.push({ id: 'github', label: 'GitHub' });
  if (env.AUTH_GOOGLE_ID && env.AUTH_GOOGLE_SECRET) out.push({ id: 'google', label: 'Google' });
  return out;
}
