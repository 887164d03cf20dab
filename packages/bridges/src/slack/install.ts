import { z } from 'zod';
import { AppError, randomToken, safeEqual, sha256, toAppError } from '@pocketping/core';
import { isBridgeError } from '../bridge-error.js';
import { toSetupError } from '../setup-errors.js';
import type { TBrowserCookie, TSetupPorts } from '../setup-ports.js';
import { exchangeSlackOAuthCode } from './connect-slack.js';
import { slackConsentUrl, slackRedirectUri } from './consent-url.js';
import { DEFAULT_SLACK_API_URL } from './create-slack-client.js';
import {
  SLACK_INSTALL_COOKIE,
  SLACK_STATE_TTL_SECONDS,
  signInstallState,
  verifyInstallState,
  type TInstallState,
} from './install-state.js';
import { exchangeSlackOAuthIdentity, type TSlackBotIdentity } from './setup-slack.js';
import { stashSlackSetup, storeSlackConnection } from './setup.js';

/**
 * "Add to Slack", both ways in: from the dashboard (the signed state names the user; the install ends in the
 * dashboard's channel picker) and from an API client (an API key starts it; the install ends with the connection
 * stored). Slack sends every installer back to ONE redirect URI, /api/integrations/slack/callback, which is
 * `finishSlackInstall`.
 */

/** A browser step's answer: JSON with a status, or a redirect (`location`), and at most one cookie to set. */
export type TSlackOAuthResult = { status: number; body: unknown; location?: string; cookie?: TBrowserCookie };

function readCookie(header: string | null | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const idx = part.indexOf('=');
    if (idx > 0 && part.slice(0, idx).trim() === name) return part.slice(idx + 1).trim() || null;
  }
  return null;
}

const apiUrlOf = (ports: TSetupPorts) => ports.config.slack?.apiUrl ?? DEFAULT_SLACK_API_URL;

const notConfigured = () =>
  new AppError('unavailable', 'Slack is not configured on this server (SLACK_CLIENT_ID / SLACK_CLIENT_SECRET)');

const ZStartQuery = z.object({
  projectId: z.string({ error: 'projectId is required' }).regex(/^[a-z0-9]{20,40}$/, 'projectId is not a project id'),
  channel: z
    .string()
    .regex(/^[CG][A-Z0-9]{2,30}$/, 'channel must be a Slack channel id ("C…")')
    .optional(),
});

/**
 * GET /api/integrations/slack/install — the "Add to Slack" start for API clients. The caller proves its tenant with
 * an API key (Authorization: Bearer ppk_…, checked by the web app's port): that is this route's tenancy wrapper. The
 * project must be the key's organization's; the answer is a redirect to Slack's consent screen with a signed state.
 *
 * The state alone would let whoever holds the API key send the consent link to someone else: a Slack admin who
 * approves it would connect *their* workspace to the key holder's project. So the start also sets a random cookie
 * (its hash is in the state) and the callback requires it: the install is finished only by the client that
 * started it.
 */
export async function startSlackInstall(
  ports: TSetupPorts,
  input: { authorization: string | null; query: Record<string, string> },
): Promise<TSlackOAuthResult> {
  try {
    const clientId = ports.config.slack?.clientId;
    if (!clientId || !ports.config.slack?.clientSecret) throw notConfigured();
    const key = await ports.apiKey(input.authorization);
    if (!key) throw new AppError('unauthorized', 'Send a valid API key as "Authorization: Bearer ppk_…"');
    // Installing a chat app changes the organization: a read-only key may not.
    if (!key.scopes.includes('write')) throw new AppError('forbidden', 'This needs an API key with the "write" scope');
    const organizationId = key.organizationId;
    const q = ZStartQuery.safeParse(input.query);
    if (!q.success)
      throw new AppError(
        'bad_request',
        q.error.issues[0]?.message ?? 'bad query',
        q.error.issues.map((i) => i.path.join('.')),
      );
    // A project of another organization gets the same answer as one that does not exist; so does a project outside
    // the key's project restriction.
    const project =
      key.projectId && key.projectId !== q.data.projectId
        ? null
        : await ports.project(organizationId, q.data.projectId);
    if (!project) throw new AppError('not_found', 'No such project');

    const binding = randomToken('', 32);
    const state = signInstallState(ports, {
      organizationId,
      projectId: project.id,
      channelId: q.data.channel ?? null,
      browserHash: sha256(binding),
    });
    const url = slackConsentUrl({ apiUrl: apiUrlOf(ports), clientId, webPublicUrl: ports.webPublicUrl, state });
    const cookie: TBrowserCookie = {
      name: SLACK_INSTALL_COOKIE,
      value: binding,
      // Lax: Slack's redirect back to the callback is a top-level GET navigation, which carries Lax cookies.
      options: {
        httpOnly: true,
        sameSite: 'lax',
        secure: ports.webPublicUrl.startsWith('https:'),
        path: '/api/integrations/slack/callback',
        maxAge: SLACK_STATE_TTL_SECONDS,
      },
    };
    return { status: 302, body: { url: url.toString() }, location: url.toString(), cookie };
  } catch (err) {
    const e = toAppError(err);
    if (e.code === 'internal') ports.log.error({ bridge: 'slack', err }, 'slack install start failed');
    return { status: e.status, body: { error: e.toJSON() } };
  }
}

/**
 * GET /api/integrations/slack/callback?code=…&state=… — Slack's OAuth v2 redirect, the one place an install
 * finishes. The state (signed, unexpired) names the organization and project. A dashboard install (the state names
 * a user) goes back to the project's bridges page for the channel picker; an API-key install stores the
 * connection and answers JSON.
 */
export async function finishSlackInstall(
  ports: TSetupPorts,
  input: { query: Record<string, string>; cookie: string | null },
): Promise<TSlackOAuthResult> {
  const q = input.query;
  const state = q.state ? verifyInstallState(ports, q.state) : null;
  if (state?.userId) {
    const location = await finishDashboardInstall(ports, {
      state: { ...state, userId: state.userId },
      code: q.code,
      error: q.error,
      cookie: input.cookie,
    });
    return { status: 302, body: null, location };
  }
  return finishApiInstall(ports, { query: q, state, cookie: input.cookie });
}

/**
 * A dashboard install: the signed-in user must be the one the state names and still an admin of the organization
 * (the web app's tenancy check); the code becomes a pending setup and the browser goes back to the page, which shows
 * the channel picker. Always a redirect to the bridges page (errors as ?slackError=).
 */
async function finishDashboardInstall(
  ports: TSetupPorts,
  input: {
    state: TInstallState & { userId: string };
    code: string | undefined;
    error: string | undefined;
    cookie: string | null;
  },
): Promise<string> {
  const { organizationId, projectId, userId } = input.state;
  const page = new URL(
    `/app/o/${encodeURIComponent(organizationId)}/p/${encodeURIComponent(projectId)}/bridges`,
    ports.webPublicUrl,
  );
  const fail = (message: string) => {
    page.searchParams.set('slackError', message.slice(0, 300));
    return page.toString();
  };
  try {
    if (input.error) return fail(`The Slack install was not completed (${input.error.slice(0, 100)}).`);
    const installer = await ports.checkInstaller({ organizationId, userId, cookie: input.cookie });
    if (installer === 'signed_out')
      return fail('Sign in as the person who started the install, then try "Add to Slack" again.');
    if (installer === 'not_admin') return fail('Only an owner or admin of the organization can connect Slack.');
    const project = await ports.project(organizationId, projectId);
    if (!project) return fail('The project of this install no longer exists.');
    const clientId = ports.config.slack?.clientId;
    const clientSecret = ports.config.slack?.clientSecret;
    if (!clientId || !clientSecret) return fail('Slack is not configured on this server.');
    if (!input.code || input.code.length > 500) return fail('Slack sent no authorization code; try again.');
    let identity: TSlackBotIdentity;
    try {
      identity = await exchangeSlackOAuthIdentity({
        apiUrl: apiUrlOf(ports),
        clientId,
        clientSecret,
        code: input.code,
        redirectUri: slackRedirectUri({ webPublicUrl: ports.webPublicUrl }),
      });
    } catch (err) {
      const e = toSetupError(err);
      return fail(e instanceof AppError ? e.message : 'Slack refused the install; try again.');
    }
    const setup = await stashSlackSetup(ports, { organizationId, projectId, userId }, identity);
    page.searchParams.set('slackSetup', setup.setupId);
    return page.toString();
  } catch (err) {
    ports.log.error({ organizationId, bridge: 'slack', err }, 'dashboard slack install callback failed');
    return fail('Something went wrong finishing the Slack install; try again.');
  }
}

/**
 * An API-key install: the code is traded for a bot token through the SDK, the bot joins the channel the start named
 * (or the first public one), and the connection is stored with sealed credentials — or, on a reinstall into the same
 * channel, the existing connection gets the new token. Only the client that started it may finish it (cookie).
 */
async function finishApiInstall(
  ports: TSetupPorts,
  input: { query: Record<string, string>; state: TInstallState | null; cookie: string | null },
): Promise<TSlackOAuthResult> {
  let organizationId: string | undefined;
  try {
    const clientId = ports.config.slack?.clientId;
    const clientSecret = ports.config.slack?.clientSecret;
    if (!clientId || !clientSecret) throw notConfigured();
    if (input.query.error)
      throw new AppError('bad_request', `Slack install was not completed (${input.query.error.slice(0, 100)})`);
    const state = input.state;
    if (!state) throw new AppError('unauthorized', 'The install link is invalid or expired; start again');
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
    const project = await ports.project(state.organizationId, state.projectId);
    if (!project) throw new AppError('not_found', 'The project of this install no longer exists');

    let draft;
    try {
      draft = await exchangeSlackOAuthCode({
        apiUrl: apiUrlOf(ports),
        clientId,
        clientSecret,
        code,
        redirectUri: slackRedirectUri({ webPublicUrl: ports.webPublicUrl }),
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
    const { connectionId, reinstalled } = await storeSlackConnection(
      ports,
      { organizationId: state.organizationId, projectId: project.id },
      draft,
      { targetName: draft.channelName, scopeName: draft.teamName },
    );
    await ports.audit(state.organizationId, {
      actorType: 'system',
      action: reinstalled ? 'connection.slack.reinstall' : 'connection.slack.install',
      targetType: 'bridge_connection',
      targetId: connectionId,
      metadata: { teamId: draft.targetScope, channelId: draft.targetId },
    });
    ports.log.info(
      {
        organizationId,
        connectionId,
        bridge: 'slack',
        teamId: draft.targetScope,
        channelId: draft.targetId,
        reinstall: reinstalled,
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
          reinstalled,
        },
        summary: draft.summary,
      },
      // One use: the binding cookie goes once the install is done.
      cookie: {
        name: SLACK_INSTALL_COOKIE,
        value: '',
        options: { path: '/api/integrations/slack/callback', maxAge: 0 },
      },
    };
  } catch (err) {
    const e = toAppError(err);
    if (e.code === 'internal')
      ports.log.error({ organizationId, bridge: 'slack', err }, 'slack install callback failed');
    return { status: e.status, body: { error: e.toJSON() } };
  }
}
