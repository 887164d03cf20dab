// Fake OAuth identity providers for tests: GitHub (as GitHub Enterprise Server lays it out under one base URL, which
// is how Auth.js's GitHub provider lets its URLs be moved) and Google (an OpenID Connect issuer with discovery, an
// RS256-signed ID token and a JWKS). They speak the wire formats the real providers do: the authorization redirect
// (code + state, or error=access_denied), the code exchange with client authentication and PKCE (S256), GitHub's
// `/user` and `/user/emails`, Google's ID token claims. The "consent screen" approves at once as the user the test
// signed in with `signInAs`, or refuses when the test called `denyNext`.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TFakeGitHubUser {
  id: number;
  login: string;
  name: string | null;
  /** The profile's public email (GitHub only lets a verified address be public); null when kept private. */
  publicEmail: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface TFakeGoogleUser {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

interface TProviderState<TUser> {
  clientId: string;
  clientSecret: string;
  current: TUser | null;
  denyNext: boolean;
}

interface TIssuedCode<TUser> {
  user: TUser;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  nonce: string | null;
  expiresAt: number;
}

export interface TFakeOAuthProvider<TUser> {
  clientId: string;
  clientSecret: string;
  /** The user the consent screen approves as, from now on. */
  signInAs(user: TUser): void;
  /** The next authorization request is refused by the user (error=access_denied). */
  denyNext(): void;
  /** Every request the provider answered, in order (method and path), for assertions. */
  readonly requests: string[];
}

export interface TFakeOAuth {
  url: string;
  /** For Auth.js's GitHub provider: `enterprise.baseUrl`. */
  githubBaseUrl: string;
  /** For Auth.js's Google provider: `issuer`. */
  googleIssuer: string;
  github: TFakeOAuthProvider<TFakeGitHubUser>;
  google: TFakeOAuthProvider<TFakeGoogleUser>;
  close(): Promise<void>;
}

const CODE_TTL_MS = 10 * 60_000;

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** Client authentication at a token endpoint: HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or the form body. */
function clientCredentials(req: IncomingMessage, form: URLSearchParams): { id: string; secret: string } | null {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const idx = decoded.indexOf(':');
    if (idx < 0) return null;
    return { id: decodeURIComponent(decoded.slice(0, idx)), secret: decodeURIComponent(decoded.slice(idx + 1)) };
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id && secret ? { id, secret } : null;
}

function pkceMatches(challenge: string | null, verifier: string | null): boolean {
  if (challenge === null) return verifier === null;
  if (verifier === null) return false;
  return base64url(createHash('sha256').update(verifier).digest()) === challenge;
}

function createProvider<TUser>(
  name: string,
): TProviderState<TUser> & { codes: Map<string, TIssuedCode<TUser>>; tokens: Map<string, TUser>; requests: string[] } {
  return {
    clientId: `${name}-client-${randomBytes(4).toString('hex')}`,
    clientSecret: `${name}-secret-${randomBytes(12).toString('hex')}`,
    current: null,
    denyNext: false,
    codes: new Map(),
    tokens: new Map(),
    requests: [],
  };
}

type TProvider<TUser> = ReturnType<typeof createProvider<TUser>>;

/**
 * The authorization endpoint: checks the client and the redirect, then redirects back as the browser would after
 * the user clicked "Authorize" (or "Cancel" when `denyNext` was called).
 */
function authorize<TUser>(p: TProvider<TUser>, url: URL, res: ServerResponse, opts: { requireOpenId: boolean }): void {
  const q = url.searchParams;
  const redirectUri = q.get('redirect_uri');
  if (q.get('client_id') !== p.clientId || !redirectUri) {
    res
      .writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
      .end('unknown client_id or missing redirect_uri');
    return;
  }
  const back = new URL(redirectUri);
  const state = q.get('state');
  if (state !== null) back.searchParams.set('state', state);
  const refuse = (error: string, description: string): void => {
    back.searchParams.set('error', error);
    back.searchParams.set('error_description', description);
    res.writeHead(302, { location: back.toString() }).end();
  };
  if (q.get('response_type') !== null && q.get('response_type') !== 'code')
    return refuse('unsupported_response_type', 'only the code flow');
  if (opts.requireOpenId && !(q.get('scope') ?? '').split(' ').includes('openid'))
    return refuse('invalid_scope', 'openid scope required');
  const method = q.get('code_challenge_method');
  if (q.get('code_challenge') !== null && method !== 'S256')
    return refuse('invalid_request', 'code_challenge_method must be S256');
  if (p.denyNext) {
    p.denyNext = false;
    return refuse('access_denied', 'The user has denied your application access.');
  }
  if (p.current === null) {
    res
      .writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
      .end('fake provider: nobody is signed in (call signInAs first)');
    return;
  }
  const code = randomBytes(16).toString('hex');
  p.codes.set(code, {
    user: p.current,
    clientId: p.clientId,
    redirectUri,
    codeChallenge: q.get('code_challenge'),
    nonce: q.get('nonce'),
    expiresAt: Date.now() + CODE_TTL_MS,
  });
  back.searchParams.set('code', code);
  res.writeHead(302, { location: back.toString() }).end();
}

/** The code exchange shared by both providers; answers the provider's own error shape on failure. */
async function redeemCode<TUser>(
  p: TProvider<TUser>,
  req: IncomingMessage,
  res: ServerResponse,
  fail: (res: ServerResponse, error: string, description: string) => void,
): Promise<TIssuedCode<TUser> | null> {
  const form = new URLSearchParams(await readBody(req));
  const client = clientCredentials(req, form);
  if (!client || client.id !== p.clientId || client.secret !== p.clientSecret) {
    fail(res, 'invalid_client', 'The client_id and/or client_secret passed are incorrect.');
    return null;
  }
  const code = form.get('code') ?? '';
  const issued = p.codes.get(code);
  p.codes.delete(code); // single use, even when the exchange fails below
  if (
    form.get('grant_type') !== 'authorization_code' ||
    !issued ||
    issued.expiresAt < Date.now() ||
    issued.clientId !== client.id
  ) {
    fail(res, 'bad_verification_code', 'The code passed is incorrect or expired.');
    return null;
  }
  if (form.get('redirect_uri') !== issued.redirectUri) {
    fail(res, 'redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.');
    return null;
  }
  if (!pkceMatches(issued.codeChallenge, form.get('code_verifier'))) {
    fail(res, 'invalid_grant', 'The code_verifier does not match the code_challenge.');
    return null;
  }
  return issued;
}

function bearer<TUser>(p: TProvider<TUser>, req: IncomingMessage): TUser | null {
  const header = req.headers.authorization ?? '';
  const m = /^(?:Bearer|token) (\S+)$/i.exec(header);
  return m ? (p.tokens.get(m[1]!) ?? null) : null;
}

function signJwt(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const head = base64url(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' }));
  const body = base64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${base64url(signature)}`;
}

export async function startFakeOAuth(): Promise<TFakeOAuth> {
  const github = createProvider<TFakeGitHubUser>('github');
  const google = createProvider<TFakeGoogleUser>('google');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(6).toString('hex');
  let base = '';

  const githubFail = (res: ServerResponse, error: string, description: string): void =>
    // GitHub answers a failed exchange with 200 and an error body.
    json(res, 200, {
      error,
      error_description: description,
      error_uri:
        'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors',
    });
  const googleFail = (res: ServerResponse, error: string, description: string): void =>
    json(res, error === 'invalid_client' ? 401 : 400, {
      error: error === 'bad_verification_code' ? 'invalid_grant' : error,
      error_description: description,
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    if (url.pathname.startsWith('/github/')) github.requests.push(route);
    if (url.pathname.startsWith('/google/')) google.requests.push(route);
    switch (route) {
      // --- GitHub (Enterprise Server layout: <base>/login/oauth/*, <base>/api/v3/*) ---------------------------
      case 'GET /github/login/oauth/authorize':
        return authorize(github, url, res, { requireOpenId: false });
      case 'POST /github/login/oauth/access_token': {
        const issued = await redeemCode(github, req, res, githubFail);
        if (!issued) return;
        const token = `gho_${randomBytes(18).toString('hex')}`;
        github.tokens.set(token, issued.user);
        // JSON when asked (Accept: application/json), form-encoded otherwise, as GitHub does.
        if ((req.headers.accept ?? '').includes('application/json'))
          return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
        res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' }).end(
          new URLSearchParams({
            access_token: token,
            token_type: 'bearer',
            scope: 'read:user,user:email',
          }).toString(),
        );
        return;
      }
      case 'GET /github/api/v3/user': {
        const user = bearer(github, req);
        if (!user)
          return json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
        return json(res, 200, {
          login: user.login,
          id: user.id,
          name: user.name,
          email: user.publicEmail,
          avatar_url: `${base}/github/avatars/${user.id}`,
          type: 'User',
        });
      }
      case 'GET /github/api/v3/user/emails': {
        const user = bearer(github, req);
        if (!user)
          return json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
        return json(
          res,
          200,
          user.emails.map((e) => ({ ...e, visibility: e.email === user.publicEmail ? 'public' : 'private' })),
        );
      }
      // --- Google (OpenID Connect issuer) ----------------------------------------------------------------------
      case 'GET /google/.well-known/openid-configuration':
        return json(res, 200, {
          issuer: `${base}/google`,
          authorization_endpoint: `${base}/google/o/oauth2/v2/auth`,
          token_endpoint: `${base}/google/token`,
          userinfo_endpoint: `${base}/google/v1/userinfo`,
          jwks_uri: `${base}/google/oauth2/v3/certs`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid', 'email', 'profile'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
          code_challenge_methods_supported: ['plain', 'S256'],
        });
      case 'GET /google/oauth2/v3/certs':
        return json(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] });
      case 'GET /google/o/oauth2/v2/auth':
        return authorize(google, url, res, { requireOpenId: true });
      case 'POST /google/token': {
        const issued = await redeemCode(google, req, res, googleFail);
        if (!issued) return;
        const token = `ya29.${randomBytes(18).toString('hex')}`;
        google.tokens.set(token, issued.user);
        const now = Math.floor(Date.now() / 1000);
        const u = issued.user;
        const idToken = signJwt(privateKey, kid, {
          iss: `${base}/google`,
          aud: google.clientId,
          azp: google.clientId,
          sub: u.sub,
          email: u.email,
          email_verified: u.emailVerified,
          name: u.name,
          picture: `${base}/google/photos/${u.sub}`,
          iat: now,
          exp: now + 3600,
          ...(issued.nonce !== null ? { nonce: issued.nonce } : {}),
        });
        return json(res, 200, {
          access_token: token,
          expires_in: 3599,
          scope: 'openid email profile',
          token_type: 'Bearer',
          id_token: idToken,
        });
      }
      case 'GET /google/v1/userinfo': {
        const user = bearer(google, req);
        if (!user) return json(res, 401, { error: 'invalid_token' });
        return json(res, 200, {
          sub: user.sub,
          email: user.email,
          email_verified: user.emailVerified,
          name: user.name,
        });
      }
      default:
        return json(res, 404, { message: 'Not Found' });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 400, { error: 'invalid_request', error_description: (err as Error).message });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const expose = <TUser>(p: TProvider<TUser>): TFakeOAuthProvider<TUser> => ({
    clientId: p.clientId,
    clientSecret: p.clientSecret,
    signInAs: (user) => {
      p.current = user;
    },
    denyNext: () => {
      p.denyNext = true;
    },
    requests: p.requests,
  });

  return {
    url: base,
    githubBaseUrl: `${base}/github`,
    googleIssuer: `${base}/google`,
    github: expose(github),
    google: expose(google),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
