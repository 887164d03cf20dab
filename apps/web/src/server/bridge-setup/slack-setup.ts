import { chatAppGuard } from '../billing/chat-app-guard';
import { z } from 'zod';
import { AppError, decryptSecret, encryptSecret } from '@pocketping/core';
import {
  createConnection,
  getConnectionCard,
  getMembership,
  getProject,
  replaceConnectionCredentials,
  resolveConnectionsByTarget,
  writeAuditLog,
  type TConnectionCard,
} from '@pocketping/db';
import {
  checkSlackBotToken,
  connectSlackWithToken,
  exchangeSlackOAuthIdentity,
  listSlackPublicChannels,
  slackConsentUrl,
  slackRedirectUri,
  ZSlackCredentials,
  type TSlackBotIdentity,
  type TSlackChannelChoice,
} from '@pocketping/bridges';
import type { TWebContext } from '../context';
import { getSessionUserFromCookies } from '../auth/session';
import { roleAtLeast } from '../tenancy';
import { signInstallState, type TInstallState } from './slack-oauth';
import { deletePending, loadPending, newSetupId, savePending } from './pending';
import { toSetupError } from './bridge-errors';

/**
 * Slack setup from the dashboard, in two steps whatever the way in: 1) a bot token — from "Add to Slack" (OAuth v2,
 * the callback checks the signed state names this user, who must still be an admin) or pasted — checked with
 * auth.test and kept sealed in Redis; 2) a public channel picked from conversations.list, which the bot joins; the
 * connection is then stored (or, for the same channel of the same project, given the new token).
 */

const KIND = 'slack';
export const SLACK_SETUP_TTL_SECONDS = 30 * 60;

const ZPending = z.object({
  organizationId: z.string(),
  projectId: z.string(),
  userId: z.string(),
  sealedCredentials: z.string(),
  teamId: z.string(),
  teamName: z.string().nullable(),
  botName: z.string().nullable(),
});
type TPending = z.infer<typeof ZPending>;

export type TSlackSetup = {
  setupId: string;
  team: { id: string; name: string | null };
  bot: string | null;
  expiresInSeconds: number;
};

async function stash(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; userId: string },
  identity: TSlackBotIdentity,
): Promise<TSlackSetup> {
  const setupId = newSetupId();
  const pending: TPending = {
    ...scope,
    sealedCredentials: encryptSecret(app.keyRing, JSON.stringify(identity.credentials)),
    teamId: identity.credentials.teamId,
    teamName: identity.teamName,
    botName: identity.botName,
  };
  await savePending(app, KIND, setupId, pending, SLACK_SETUP_TTL_SECONDS);
  return {
    setupId,
    team: { id: pending.teamId, name: pending.teamName },
    bot: pending.botName,
    expiresInSeconds: SLACK_SETUP_TTL_SECONDS,
  };
}

/** The manual option: a pasted bot token (self-hosters with their own Slack app). */
export async function startSlackWithToken(
  app: TWebContext,
  input: { organizationId: string; projectId: string; userId: string; botToken: string },
): Promise<TSlackSetup> {
  let identity: TSlackBotIdentity;
  try {
    identity = await checkSlackBotToken({ apiUrl: app.env.SLACK_API_URL, botToken: input.botToken.trim() });
  } catch (err) {
    throw toSetupError(err, {
      unauthorized:
        'Slack does not accept this token. Use the "Bot User OAuth Token" (xoxb-…) from your app\'s OAuth & Permissions page, and make sure the app is installed in the workspace.',
    });
  }
  return stash(app, input, identity);
}

async function pendingOrThrow(
  app: TWebContext,
  scope: { organizationId: string; projectId: string },
  setupId: string,
): Promise<TPending> {
  const loaded = await loadPending(app, KIND, setupId, ZPending);
  if (!loaded || loaded.value.organizationId !== scope.organizationId || loaded.value.projectId !== scope.projectId) {
    throw new AppError('not_found', 'This Slack setup expired. Start again with "Add to Slack" or a bot token.');
  }
  return loaded.value;
}

function credentialsOf(app: TWebContext, p: TPending) {
  return ZSlackCredentials.parse(JSON.parse(decryptSecret(app.keyRing, p.sealedCredentials)));
}

export async function describeSlackSetup(
  app: TWebContext,
  scope: { organizationId: string; projectId: string },
  setupId: string,
): Promise<{ team: { id: string; name: string | null }; bot: string | null; channels: TSlackChannelChoice[] }> {
  const p = await pendingOrThrow(app, scope, setupId);
  const creds = credentialsOf(app, p);
  try {
    const channels = await listSlackPublicChannels({ apiUrl: app.env.SLACK_API_URL, botToken: creds.botToken });
    return { team: { id: p.teamId, name: p.teamName }, bot: p.botName, channels };
  } catch (err) {
    throw toSetupError(err, {
      forbidden: 'The Slack app may not list channels: reinstall it with the channels:read scope.',
    });
  }
}

export async function connectSlackChannel(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; userId: string },
  input: { setupId: string; channelId: string },
): Promise<{ connection: TConnectionCard; channel: string; reinstalled: boolean }> {
  const p = await pendingOrThrow(app, scope, input.setupId);
  const creds = credentialsOf(app, p);
  let draft;
  try {
    draft = await connectSlackWithToken({
      apiUrl: app.env.SLACK_API_URL,
      botToken: creds.botToken,
      channelId: input.channelId,
    });
  } catch (err) {
    throw toSetupError(err, { forbidden: undefined });
  }
  const sealed = encryptSecret(app.keyRing, JSON.stringify(draft.credentials));
  const names = { targetName: draft.channelName, scopeName: draft.teamName ?? p.teamName };
  const existing = (
    await resolveConnectionsByTarget(app.db, {
      kind: 'slack',
      targetScope: draft.targetScope,
      targetId: draft.targetId,
    })
  ).find((c) => c.organizationId === scope.organizationId && c.projectId === scope.projectId);
  let connectionId: string;
  if (existing) {
    await replaceConnectionCredentials(app.db, scope.organizationId, existing.id, sealed, names);
    connectionId = existing.id;
  } else {
    connectionId = (
      await createConnection(
        app.db,
        scope.organizationId,
        {
          projectId: scope.projectId,
          kind: 'slack',
          sealedCredentials: sealed,
          targetId: draft.targetId,
          targetScope: draft.targetScope,
          ...names,
        },
        { withinLimit: await chatAppGuard(app.limits, scope.organizationId) },
      )
    ).id;
  }
  await deletePending(app, KIND, input.setupId);
  await writeAuditLog(app.db, scope.organizationId, {
    actorType: 'user',
    actorId: scope.userId,
    action: existing ? 'connection.slack.reinstall' : 'connection.slack.install',
    targetType: 'bridge_connection',
    targetId: connectionId,
    metadata: { projectId: scope.projectId, teamId: draft.targetScope, channelId: draft.targetId },
  });
  app.log.info(
    {
      organizationId: scope.organizationId,
      connectionId,
      bridge: 'slack',
      teamId: draft.targetScope,
      channelId: draft.targetId,
    },
    'slack connected from dashboard',
  );
  const card = await getConnectionCard(app.db, scope.organizationId, scope.projectId, connectionId);
  if (!card) throw new AppError('internal', 'Connection vanished after connecting.');
  return { connection: card, channel: draft.channelName, reinstalled: Boolean(existing) };
}

/** "Add to Slack" from the dashboard: the consent screen URL, with a signed state naming org, project and user. */
export function slackInstallUrl(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; userId: string },
): string {
  const { SLACK_CLIENT_ID: clientId, SLACK_CLIENT_SECRET: clientSecret } = app.env;
  if (!clientId || !clientSecret)
    throw new AppError(
      'unavailable',
      '"Add to Slack" is not configured on this server (SLACK_CLIENT_ID / SLACK_CLIENT_SECRET). Use a bot token instead.',
    );
  return slackConsentUrl({
    apiUrl: app.env.SLACK_API_URL,
    clientId,
    webPublicUrl: app.env.WEB_PUBLIC_URL,
    state: signInstallState(app.env.AUTH_SECRET, {
      organizationId: scope.organizationId,
      projectId: scope.projectId,
      channelId: null,
      userId: scope.userId,
    }),
  }).toString();
}

/**
 * The OAuth callback of a dashboard install (the state names a user): the signed-in user must be that user and
 * still an admin of the organization; the code becomes a pending setup and the browser goes back to the page,
 * which shows the channel picker. Always a redirect to the bridges page (errors as ?slackError=).
 */
export async function finishDashboardSlackInstall(
  app: TWebContext,
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
    app.env.WEB_PUBLIC_URL,
  );
  const fail = (message: string) => {
    page.searchParams.set('slackError', message.slice(0, 300));
    return page.toString();
  };
  try {
    if (input.error) return fail(`The Slack install was not completed (${input.error.slice(0, 100)}).`);
    const user = await getSessionUserFromCookies(app.db, input.cookie, app.env.AUTH_SECRET);
    if (!user || user.id !== userId)
      return fail('Sign in as the person who started the install, then try "Add to Slack" again.');
    const membership = await getMembership(app.db, organizationId, userId);
    if (!membership || !roleAtLeast(membership.role, 'admin'))
      return fail('Only an owner or admin of the organization can connect Slack.');
    const project = await getProject(app.db, organizationId, projectId);
    if (!project) return fail('The project of this install no longer exists.');
    const { SLACK_CLIENT_ID: clientId, SLACK_CLIENT_SECRET: clientSecret } = app.env;
    if (!clientId || !clientSecret) return fail('Slack is not configured on this server.');
    if (!input.code || input.code.length > 500) return fail('Slack sent no authorization code; try again.');
    let identity: TSlackBotIdentity;
    try {
      identity = await exchangeSlackOAuthIdentity({
        apiUrl: app.env.SLACK_API_URL,
        clientId,
        clientSecret,
        code: input.code,
        redirectUri: slackRedirectUri({ webPublicUrl: app.env.WEB_PUBLIC_URL }),
      });
    } catch (err) {
      const e = toSetupError(err);
      return fail(e instanceof AppError ? e.message : 'Slack refused the install; try again.');
    }
    const setup = await stash(app, { organizationId, projectId, userId }, identity);
    page.searchParams.set('slackSetup', setup.setupId);
    return page.toString();
  } catch (err) {
    app.log.error({ organizationId, bridge: 'slack', err }, 'dashboard slack install callback failed');
    return fail('Something went wrong finishing the Slack install; try again.');
  }
}
