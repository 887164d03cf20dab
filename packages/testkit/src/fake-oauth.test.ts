// The fake providers refuse what the real ones refuse: a wrong client secret, a reused code, a wrong PKCE verifier,
// a redirect_uri that differs from the authorization request, an unknown access token.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOAuth, type TFakeOAuth } from './fake-oauth.js';

let fake: TFakeOAuth;
beforeAll(async () => {
  fake = await startFakeOAuth();
  fake.github.signInAs({
    id: 42,
    login: 'octo',
    name: null,
    publicEmail: null,
    emails: [{ email: 'octo@example.test', primary: true, verified: true }],
  });
});
afterAll(() => fake.close());

const REDIRECT = 'https://app.example.test/api/auth/callback/github';

async function authorize(verifier: string): Promise<string> {
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const url = new URL(`${fake.githubBaseUrl}/login/oauth/authorize`);
  url.search = new URLSearchParams({
    client_id: fake.github.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    state: 's1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(back.origin + back.pathname).toBe(REDIRECT);
  expect(back.searchParams.get('state')).toBe('s1');
  return back.searchParams.get('code')!;
}

function exchange(code: string, verifier: string, opts: { secret?: string; redirect?: string } = {}) {
  const basic = Buffer.from(`${fake.github.clientId}:${opts.secret ?? fake.github.clientSecret}`).toString('base64');
  return fetch(`${fake.githubBaseUrl}/login/oauth/access_token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: opts.redirect ?? REDIRECT,
      code_verifier: verifier,
    }),
  }).then((r) => r.json() as Promise<Record<string, string>>);
}

describe('fake GitHub OAuth', () => {
  it('exchanges a code once, with the right secret, verifier and redirect; the token reads the user', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const code = await authorize(verifier);
    expect(await exchange(code, verifier, { secret: 'wrong' })).toMatchObject({ error: 'invalid_client' });
    expect(await exchange(code, 'another-verifier-another-verifier-1234567')).toMatchObject({ error: 'invalid_grant' });
    // That failed attempt burnt the code.
    expect(await exchange(code, verifier)).toMatchObject({ error: 'bad_verification_code' });

    const code3 = await authorize(verifier);
    expect(await exchange(code3, verifier, { redirect: 'https://evil.example.test/cb' })).toMatchObject({
      error: 'redirect_uri_mismatch',
    });

    const code4 = await authorize(verifier);
    const ok = await exchange(code4, verifier);
    expect(ok).toMatchObject({ token_type: 'bearer' });
    const user = await fetch(`${fake.githubBaseUrl}/api/v3/user`, {
      headers: { authorization: `Bearer ${ok.access_token}` },
    });
    expect(await user.json()).toMatchObject({ id: 42, login: 'octo', email: null });
    const bad = await fetch(`${fake.githubBaseUrl}/api/v3/user`, { headers: { authorization: 'Bearer gho_nope' } });
    expect(bad.status).toBe(401);
  });

  it('"Cancel" on the consent screen comes back as error=access_denied with the state', async () => {
    fake.github.denyNext();
    const url = new URL(`${fake.githubBaseUrl}/login/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: fake.github.clientId,
      redirect_uri: REDIRECT,
      state: 's2',
    }).toString();
    const back = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('s2');
    expect(back.searchParams.get('code')).toBeNull();
  });
});
