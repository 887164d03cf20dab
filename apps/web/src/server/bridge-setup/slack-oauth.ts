import type { TLimits } from '@pocketping/billing';
import { chatAppGuard } from '../billing/chat-app-guard';
import { z } from 'zod';
import {
  AppError,
  encryptSecret,
  randomToken,
  safeEqual,
  sha256,
  toAppError,
  type TKeyRing,
  type TLogger,
} from '@pocketping/core';
import {
  createConnection,
  getProject,
  replaceConnectionCredentials,
  resolveApiKey,
  resolveConnectionsByTarget,
  writeAuditLog,
  type TDb,
} from '@pocketping/db';
import { exchangeSlackOAuthCode, isBridgeError, slackConsentUrl, slackRedirectUri } from '@pocketping/bridges';
import { signState, verifyState } from '../signed-state';

/** How long an "Add to Slack" link stays valid: long enough to pick a workspace, short enough to be useless if leaked. */
const STATE_TTL_SECONDS = 10 * 60;

// `u`: the dashboard user who started the install (absent for API-key installs); the callback then requires that
// user's session and admin role, and hands the install to the dashboard's channel picker.
// `b`: for API-key installs, the SHA-256 of a random value set as a cookie on the client that started the install;
// the callback requires that cookie (see startSlackInstall).
const ZState = z.object({
  o: z.string().min(1).max(40),
  p: z.string().min(1).max(40),
  c: z.string().max(40).nullable(),
  u: z.string().min(1).max(40).optional(),
  b: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type TInstallState = {
  organizationId: string;
  projectId: string;
  channelId: string | null;
  userId?: string;
  browserHash?: string;
};
const STATE_PURPOSE = 'slack-install';

/** The cookie that binds an API-key install to the client that started it (sent back only to the callback). */
export const SLACK_INSTALL_COOKIE = 'pp_slack_install';

/** An expiring, HMAC-signed (AUTH_SECRET) state naming the tenant and project the install is for. */
export function signInstallState(secret: string, state: TInstallState, nowMs = Date.now()): string {
  return signState(
    secret,
    STATE_PURPOSE,
    {
      o: state.organizationId,
      p: state.projectId,
      c: state.channelId,
      ...(state.userId ? { u: state.userId } : {}),
      ...(state.browserHash ? { b: state.browserHash } : {}),
    },
    STATE_TTL_SECONDS,
    nowMs,
  );
}

export function verifyInstallState(secret: string, state: string, nowMs = Date.now()): TInstallState | null {
  const s = verifyState(secret, STATE_PURPOSE, state, ZState, nowMs);
  return s
    ? {
        organizationId: s.o,
        projectId: s.p,
        channelId: s.c,
        ...(s.u ? { userId: s.u } : {}),
        ...(s.b ? { browserHash: s.b } : {}),
      }
    : null;
}

function readCookie(header: string | null | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const idx = part.indexOf('=');
    if (idx > 0 && part.slice(0, idx).trim() === name) return part.slice(idx + 1).trim() || null;
  }
  return null;
}

export interface TSlackOAuthConfig {
  apiUrl: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  authSecret: string;
  webPublicUrl: string;
}

export interface TSlackOAuthDeps {
  db: TDb;
  keyRing: TKeyRing;
  log: TLogger;
  config: TSlackOAuthConfig;
  /** The plan's chat-app count per project. */
  limits: Pick<TLimits, 'entitlements'>;
}

export interface TInstallCookie {
  name: string;
  value: string;
  options: { httpOnly: true; sameSite: 'lax'; secure: boolean; path: string; maxAge: number };
}

export type TSlackOAuthResult = { status: number; body: unknown; location?: string; cookie?: TInstallCookie };

const ZStartQuery = z.object({
  projectId: z.string({ error: 'projectId is required' }).regex(/^[a-z0-9]{20,40}$/, 'projectId is not a project id'),
  channel: z
    .string()
    .regex(/^[CG][A-Z0-9]{2,30}$/, 'channel must be a Slack channel id ("C…")')
    .optional(),
});

/**
 * GET /api/integrations/slack/install — the "Add to Slack" start for API clients. The caller proves its tenant with
 * an API key (Authorization: Bearer ppk_…): that is this route's tenancy wrapper. The project must be the key's
 * organization's; the answer is a redirect to Slack's consent screen with a signed state.
 *
 * The state alone would let whoever holds the API key send the consent link to someone else: a Slack admin who
 * approves it would connect *their* workspace to the key holder's project. So the start also sets a random cookie
 * (its hash is in the state) and the callback requires it: the install is finished only by the client that
 * started it.
 */
export async function startSlackInstall(
  deps: TSlackOAuthDeps,
  input: { authorization: string | null; query: Record<string, string> },
): Promise<TSlackOAuthResult> {
  try {
    const { clientId } = deps.config;
    if (!clientId || !deps.config.clientSecret)
      throw new AppError(
        'unavailable',
        'Slack is not configured on this server (SLACK_CLIENT_ID / SLACK_CLIENT_SECRET)',
      );
    const key = /^Bearer (\S+)$/.exec(input.authorization ?? '')?.[1];
    const tenant = key ? await resolveApiKey(deps.db, key) : null;
    if (!tenant) throw new AppError('unauthorized', 'Send a valid API key as "Authorization: Bearer ppk_…"');
    // Installing a chat app changes the organization: a read-only key may not.
    if (!tenant.scopes.includes('write'))
      throw new AppError('forbidden', 'This needs an API key with the "write" scope');
    const q = ZStartQuery.safeParse(input.query);
    if (!q.success)
      throw new AppError(
        'bad_request',
        q.error.issues[0]?.message ?? 'bad query',
        q.error.issues.map((i) => i.path.join('.')),
      );
    // A project of another organization gets the same answer as one that does not exist.
    // So does a project outside the key's project restriction.
    const project =
      tenant.projectId && tenant.projectId !== q.data.projectId
        ? null
        : await getProject(deps.db, tenant.organizationId, q.data.projectId);
    if (!project) throw new AppError('not_found', 'No such project');

    const binding = randomToken('', 32);
    const state = signInstallState(deps.config.authSecret, {
      organizationId: tenant.organizationId,
      projectId: project.id,
      channelId: q.data.channel ?? null,
      browserHash: sha256(binding),
    });
    const url = slackConsentUrl({ ...deps.config, clientId, state });
    const cookie: TInstallCookie = {
      name: SLACK_INSTALL_COOKIE,
      value: binding,
      // Lax: Slack's redirect back to the callback is a top-level GET navigation, which carries Lax cookies.
      options: {
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.config.webPublicUrl.startsWith('https:'),
        path: '/api/integrations/slack/callback',
        maxAge: STATE_TTL_SECONDS,
      },
    };
    return { status: 302, body: { url: url.toString() }, location: url.toString(), cookie };
  } catch (err) {
    const e = toAppError(err);
    if (e.code === 'internal') deps.log.error({ bridge: 'slack', err }, 'slack install start failed');
    return { status: e.status, body: { error: e.toJSON() } };
  }
}

/**
 * GET /api/integrations/slack/callback — Slack sends the installer back here with `code` and our `state`. The
 * state (signed, unexpired) is the tenancy wrapper: it names the organization and project. The code is traded
 * for a bot token through the SDK, the bot joins the channel, and the connection is stored with sealed
 * credentials — or, on a reinstall into the same channel, the existing connection gets the new token and is
 * active again (its queued messages then go out).
 */
export async function finishSlackInstall(
  deps: TSlackOAuthDeps,
  input: { query: Record<string, string>; cookie: string | null },
): Promise<TSlackOAuthResult> {
  let organizationId: string | undefined;
  try {
    const { clientId, clientSecret } = deps.config;
    if (!clientId || !clientSecret)
      throw new AppError(
        'unavailable',
        'Slack is not configured on this server (SLACK_CLIENT_ID / SLACK_CLIENT_SECRET)',
      );
    if (input.query.error)
      throw new AppError('bad_request', `Slack install was not completed (${input.query.error.slice(0, 100)})`);
    const state = input.query.state ? verifyInstallState(deps.config.authSecret, input.query.state) : null;
    if (!state) throw new AppError('unauthorized', 'The install link is invalid or expired; start again');
    // A dashboard install (state names a user) is finished by the dashboard's callback, which checks that user's session.
    if (state.userId) throw new AppError('bad_request', 'This install was started from the dashboard; finish it there');
    const binding = readCookie(input.cookie, SLACK_INSTALL_COOKIE);
    if (!state.browserHash || !binding || !safeEqual(sha256(binding), state.browserHash)) {
      throw new AppError(
        'forbidden',
        'This install must be finished in the browser that started it; start again from there',
      );
    }
    organizationId = state.organizationId;
    const code = input.query.code;
    if (!code || code.length > 500) throw new AppError('bad_request', 'Missing code');
    const project = await getProject(deps.db, state.organizationId, state.projectId);
    if (!project) throw new AppError('not_found', 'The project of this install no longer exists');

    let draft;
    try {
      draft = await exchangeSlackOAuthCode({
        apiUrl: deps.config.apiUrl,
        clientId,
        clientSecret,
        code,
        redirectUri: slackRedirectUri(deps.config),
        channelId: state.channelId,
      });
    } catch (err) {
      if (isBridgeError(err))
        throw new AppError(
          err.kind === 'transient' || err.kind === 'rate_limited' ? 'unavailable' : 'unprocessable',
          err.message,
        );
      throw err;
    }
    const sealed = encryptSecret(deps.keyRing, JSON.stringify(draft.credentials));
    const names = { targetName: draft.channelName, scopeName: draft.teamName };
    const existing = (
      await resolveConnectionsByTarget(deps.db, {
        kind: 'slack',
        targetScope: draft.targetScope,
        targetId: draft.targetId,
      })
    ).find((c) => c.organizationId === state.organizationId && c.projectId === project.id);
    let connectionId: string;
    if (existing) {
      await replaceConnectionCredentials(deps.db, state.organizationId, existing.id, sealed, names);
      connectionId = existing.id;
    } else {
      const created = await createConnection(
        deps.db,
        state.organizationId,
        {
          projectId: project.id,
          kind: 'slack',
          sealedCredentials: sealed,
          targetId: draft.targetId,
          targetScope: draft.targetScope,
          ...names,
        },
        { withinLimit: await chatAppGuard(deps.limits, state.organizationId) },
      );
      connectionId = created.id;
    }
    await writeAuditLog(deps.db, state.organizationId, {
      actorType: 'system',
      action: existing ? 'connection.slack.reinstall' : 'connection.slack.install',
      targetType: 'bridge_connection',
      targetId: connectionId,
      metadata: { teamId: draft.targetScope, channelId: draft.targetId },
    });
    deps.log.info(
      {
        organizationId,
        connectionId,
        bridge: 'slack',
        teamId: draft.targetScope,
        channelId: draft.targetId,
        reinstall: Boolean(existing),
      },
      'slack installed',
    );
    return {
      status: 200,
      body: {
        ok: true,
        connection: {
          id: connectionId,
          projectId: project.id,
          kind: 'slack',
          teamId: draft.targetScope,
          team: draft.teamName,
          channelId: draft.targetId,
          channel: draft.channelName,
          reinstalled: Boolean(existing),
        },
        summary: draft.summary,
      },
    };
  } catch (err) {
    const e = toAppError(err);
    if (e.code === 'internal')
      deps.log.error({ organizationId, bridge: 'slack', err }, 'slack install callback failed');
    return { status: e.status, body: { error: e.toJSON() } };
  }
}
