import { chatAppGuard } from '../billing/chat-app-guard';
import { z } from 'zod';
import { AppError, encryptSecret } from '@pocketping/core';
import {
  createConnection,
  findProjectConnectionIdByTarget,
  getConnectionCard,
  getMembership,
  getProject,
  replaceConnectionCredentials,
  resolveConnectionsByScope,
  writeAuditLog,
  type TConnectionCard,
} from '@pocketping/db';
import {
  createDiscordSetupClient,
  discordInstallLink,
  isBridgeError,
  type TDiscordSetupClient,
} from '@pocketping/bridges';
import type { TWebContext } from '../context';
import { toSetupError } from './bridge-errors';
import { loadPending, savePending } from './pending';
import { getSessionUserFromCookies } from '../auth/session';
import { roleAtLeast } from '../tenancy';
import { signState, verifyState } from '../signed-state';

/**
 * Discord setup with the one shared bot. The bot sits in every customer's server, so the dashboard never lists the
 * servers it is in: the admin adds it through Discord's OAuth2 bot install (signed state naming org + project + user,
 * 10 min), the callback exchanges the code and learns the ONE server Discord's consent screen granted, and records
 * "this project may connect that server" in Redis (1 h). Channels and connect accept only that server.
 */

const STATE_TTL_SECONDS = 10 * 60;
export const DISCORD_GRANT_TTL_SECONDS = 60 * 60;
const GRANT_KIND = 'discord-grant';

function client(app: TWebContext): TDiscordSetupClient {
  if (!app.env.DISCORD_BOT_TOKEN)
    throw new AppError(
      'unavailable',
      'Discord is not configured on this server (DISCORD_BOT_TOKEN / DISCORD_APPLICATION_ID).',
    );
  return createDiscordSetupClient({ apiUrl: app.env.DISCORD_API_URL, botToken: app.env.DISCORD_BOT_TOKEN });
}

const notInServer = () =>
  new AppError(
    'unprocessable',
    'The bot is not in that Discord server (any more). Add it with the "Add the bot to your server" button, then pick a channel again.',
  );
const notGranted = () =>
  new AppError(
    'forbidden',
    'Add the bot to that Discord server from this page first ("Add the bot to your server"); the choice is kept for one hour.',
  );

const ZState = z.object({ o: z.string().min(1).max(40), p: z.string().min(1).max(40), u: z.string().min(1).max(40) });
type TDiscordState = { organizationId: string; projectId: string; userId: string };
const STATE_PURPOSE = 'discord-install';

export function signDiscordState(secret: string, s: TDiscordState, nowMs = Date.now()): string {
  return signState(
    secret,
    STATE_PURPOSE,
    { o: s.organizationId, p: s.projectId, u: s.userId },
    STATE_TTL_SECONDS,
    nowMs,
  );
}

export function verifyDiscordState(secret: string, state: string, nowMs = Date.now()): TDiscordState | null {
  const s = verifyState(secret, STATE_PURPOSE, state, ZState, nowMs);
  return s ? { organizationId: s.o, projectId: s.p, userId: s.u } : null;
}

export const discordRedirectUri = (app: TWebContext) =>
  `${app.env.WEB_PUBLIC_URL.replace(/\/$/, '')}/api/integrations/discord/callback`;

const ZGrant = z.object({ guildId: z.string(), guildName: z.string() });
const grantId = (organizationId: string, projectId: string) => `${organizationId}_${projectId}`;

async function grantedGuild(app: TWebContext, organizationId: string, projectId: string) {
  return (await loadPending(app, GRANT_KIND, grantId(organizationId, projectId), ZGrant))?.value ?? null;
}

/** Servers another organization has connected are refused even when granted. */
async function guildTakenElsewhere(app: TWebContext, organizationId: string, guildId: string): Promise<boolean> {
  const rows = await resolveConnectionsByScope(app.db, { kind: 'discord', targetScope: guildId });
  return rows.some((c) => c.organizationId !== organizationId);
}

async function requireGrant(app: TWebContext, organizationId: string, projectId: string, guildId: string) {
  const grant = await grantedGuild(app, organizationId, projectId);
  if (!grant || grant.guildId !== guildId) throw notGranted();
  if (await guildTakenElsewhere(app, organizationId, guildId)) throw notInServer();
  return grant;
}

export async function discordOverview(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; userId: string },
) {
  const configured = Boolean(
    app.env.DISCORD_BOT_TOKEN && app.env.DISCORD_APPLICATION_ID && app.env.DISCORD_CLIENT_SECRET,
  );
  if (!configured) return { configured: false as const, installUrl: null, guild: null };
  const q = new URL(discordInstallLink(app.env.DISCORD_APPLICATION_ID!, app.env.DISCORD_API_URL));
  q.searchParams.set('response_type', 'code');
  q.searchParams.set('redirect_uri', discordRedirectUri(app));
  q.searchParams.set('state', signDiscordState(app.env.AUTH_SECRET, scope));
  const grant = await grantedGuild(app, scope.organizationId, scope.projectId);
  return {
    configured: true as const,
    installUrl: q.toString(),
    guild: grant ? { id: grant.guildId, name: grant.guildName } : null,
  };
}

export async function discordChannels(app: TWebContext, organizationId: string, projectId: string, guildId: string) {
  await requireGrant(app, organizationId, projectId, guildId);
  try {
    const channels = await client(app).listTextChannels(guildId);
    return { channels };
  } catch (err) {
    if (isBridgeError(err) && (err.platformCode === 50001 || err.platformCode === 10004 || err.platformCode === 10007))
      throw notInServer();
    throw toSetupError(err);
  }
}

const ZTokenAnswer = z.object({ guild: z.object({ id: z.string().regex(/^\d{15,25}$/), name: z.string().max(200) }) });

/** Discord's redirect after the bot install: checks state, session and role, exchanges the code, records the grant. */
export async function finishDashboardDiscordInstall(
  app: TWebContext,
  input: { state: TDiscordState; code: string | undefined; error: string | undefined; cookie: string | null },
): Promise<string> {
  const { organizationId, projectId, userId } = input.state;
  const page = new URL(
    `/app/o/${encodeURIComponent(organizationId)}/p/${encodeURIComponent(projectId)}/bridges`,
    app.env.WEB_PUBLIC_URL,
  );
  const fail = (message: string) => {
    page.searchParams.set('discordError', message.slice(0, 300));
    return page.toString();
  };
  try {
    if (input.error) return fail(`The Discord install was not completed (${input.error.slice(0, 100)}).`);
    const user = await getSessionUserFromCookies(app.db, input.cookie, app.env.AUTH_SECRET);
    if (!user || user.id !== userId)
      return fail('Sign in as the person who started the install, then try "Add the bot to your server" again.');
    const membership = await getMembership(app.db, organizationId, userId);
    if (!membership || !roleAtLeast(membership.role, 'admin'))
      return fail('Only an owner or admin of the organization can connect Discord.');
    const project = await getProject(app.db, organizationId, projectId);
    if (!project) return fail('The project of this install no longer exists.');
    const { DISCORD_APPLICATION_ID: clientId, DISCORD_CLIENT_SECRET: clientSecret } = app.env;
    if (!clientId || !clientSecret) return fail('Discord is not configured on this server.');
    if (!input.code || input.code.length > 500) return fail('Discord sent no authorization code; try again.');
    const res = await fetch(`${app.env.DISCORD_API_URL.replace(/\/$/, '')}/v10/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: 'authorization_code',
        code: input.code,
        redirect_uri: discordRedirectUri(app),
      }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const parsed = ZTokenAnswer.safeParse(res.ok ? await res.json().catch(() => null) : null);
    if (!parsed.success) return fail('Discord refused the install code; try "Add the bot to your server" again.');
    const guild = parsed.data.guild;
    if (await guildTakenElsewhere(app, organizationId, guild.id))
      return fail('That Discord server is already connected by another organization.');
    await savePending(
      app,
      GRANT_KIND,
      grantId(organizationId, projectId),
      { guildId: guild.id, guildName: guild.name },
      DISCORD_GRANT_TTL_SECONDS,
    );
    page.searchParams.set('discordGuild', guild.id);
    return page.toString();
  } catch (err) {
    app.log.error({ organizationId, bridge: 'discord', err }, 'dashboard discord install callback failed');
    return fail('Something went wrong finishing the Discord install; try again.');
  }
}

/** Where a person grants a permission to the bot in one channel. */
const fixIt = (missing: string[], channel: string) =>
  `The bot is missing ${missing.map((m) => `"${m}"`).join(', ')} in #${channel}. In Discord: right-click #${channel} → Edit Channel → Permissions → add the PocketPing bot (or its role) and allow ${missing.length > 1 ? 'them' : 'it'}; then try again.`;

export async function connectDiscordChannel(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; userId: string },
  input: { guildId: string; channelId: string },
): Promise<{ connection: TConnectionCard; warning?: string }> {
  await requireGrant(app, scope.organizationId, scope.projectId, input.guildId);
  let check;
  try {
    check = await client(app).checkChannel(input.guildId, input.channelId);
  } catch (err) {
    if (isBridgeError(err) && (err.platformCode === 50001 || err.platformCode === 10004 || err.platformCode === 10007))
      throw notInServer();
    if (isBridgeError(err) && err.platformCode === 10003)
      throw new AppError('unprocessable', 'That channel no longer exists; pick another one.');
    throw toSetupError(err);
  }
  if (check.missing.length > 0)
    throw new AppError('unprocessable', fixIt(check.missing, check.channel.name), { missing: check.missing });
  const sealed = encryptSecret(app.keyRing, JSON.stringify({ guildId: check.guild.id, channelId: check.channel.id }));
  const names = { targetName: check.channel.name, scopeName: check.guild.name };
  const existingId = await findProjectConnectionIdByTarget(app.db, scope, 'discord', check.channel.id);
  let connectionId: string;
  if (existingId) {
    await replaceConnectionCredentials(app.db, scope.organizationId, existingId, sealed, names);
    connectionId = existingId;
  } else {
    connectionId = (
      await createConnection(
        app.db,
        scope.organizationId,
        {
          projectId: scope.projectId,
          kind: 'discord',
          sealedCredentials: sealed,
          targetId: check.channel.id,
          targetScope: check.guild.id,
          ...names,
        },
        { withinLimit: await chatAppGuard(app.limits, scope.organizationId) },
      )
    ).id;
  }
  await writeAuditLog(app.db, scope.organizationId, {
    actorType: 'user',
    actorId: scope.userId,
    action: existingId ? 'connection.discord.reconnect' : 'connection.discord.connect',
    targetType: 'bridge_connection',
    targetId: connectionId,
    metadata: { projectId: scope.projectId, guildId: check.guild.id, channelId: check.channel.id },
  });
  const card = await getConnectionCard(app.db, scope.organizationId, scope.projectId, connectionId);
  if (!card) throw new AppError('internal', 'Connection vanished after connecting.');
  const warning =
    check.missingOptional.length > 0
      ? `Connected. Optional: allow "${check.missingOptional.join('", "')}" in #${check.channel.name} so the bot can reopen archived, locked threads.`
      : undefined;
  return { connection: card, ...(warning ? { warning } : {}) };
}
