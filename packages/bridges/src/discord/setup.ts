import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { isBridgeError } from '../bridge-error.js';
import { toSetupError } from '../setup-errors.js';
import {
  setupStep,
  type TBrowserAction,
  type TChatAppSetup,
  type TSetupConnectionCard,
  type TSetupPorts,
  type TSetupScope,
  type TSetupStep,
} from '../setup-ports.js';
import { ZDiscordCredentials } from './credentials.js';
import { discordInstallLink } from './install-link.js';
import { createDiscordSetupClient, type TDiscordSetupClient } from './setup-discord.js';

/**
 * Discord setup with the one shared bot. The bot sits in every customer's server, so the dashboard never lists the
 * servers it is in: the admin adds it through Discord's OAuth2 bot install (signed state naming org + project + user,
 * 10 min), the callback exchanges the code and learns the ONE server Discord's consent screen granted, and records
 * "this project may connect that server" as a pending setup (1 h). Channels and connect accept only that server.
 */

const STATE_TTL_SECONDS = 10 * 60;
export const DISCORD_GRANT_TTL_SECONDS = 60 * 60;
const GRANT_KIND = 'discord-grant';

export const ZDiscordId = z.string().regex(/^\d{17,20}$/, 'not a Discord id');

function client(ports: TSetupPorts): TDiscordSetupClient {
  const discord = ports.config.discord;
  if (!discord?.botToken)
    throw new AppError(
      'unavailable',
      'Discord is not configured on this server (DISCORD_BOT_TOKEN / DISCORD_APPLICATION_ID).',
    );
  return createDiscordSetupClient({ apiUrl: discord.apiUrl, botToken: discord.botToken });
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

export function signDiscordState(ports: Pick<TSetupPorts, 'signState'>, s: TDiscordState, nowMs?: number): string {
  return ports.signState(STATE_PURPOSE, { o: s.organizationId, p: s.projectId, u: s.userId }, STATE_TTL_SECONDS, nowMs);
}

export function verifyDiscordState(
  ports: Pick<TSetupPorts, 'verifyState'>,
  state: string,
  nowMs?: number,
): TDiscordState | null {
  const s = ports.verifyState(STATE_PURPOSE, state, ZState, nowMs);
  return s ? { organizationId: s.o, projectId: s.p, userId: s.u } : null;
}

/** The OAuth redirect URI registered with the Discord application. */
export const discordRedirectUri = (webPublicUrl: string) =>
  `${webPublicUrl.replace(/\/$/, '')}/api/integrations/discord/callback`;

const ZGrant = z.object({ guildId: z.string(), guildName: z.string() });
const grantId = (organizationId: string, projectId: string) => `${organizationId}_${projectId}`;

async function grantedGuild(ports: TSetupPorts, organizationId: string, projectId: string) {
  return (await ports.pending.load(GRANT_KIND, grantId(organizationId, projectId), ZGrant))?.value ?? null;
}

/** Servers another organization has connected are refused even when granted. */
async function guildTakenElsewhere(ports: TSetupPorts, organizationId: string, guildId: string): Promise<boolean> {
  const rows = await ports.connections.byScope({ kind: 'discord', targetScope: guildId });
  return rows.some((c) => c.organizationId !== organizationId);
}

async function requireGrant(ports: TSetupPorts, organizationId: string, projectId: string, guildId: string) {
  const grant = await grantedGuild(ports, organizationId, projectId);
  if (!grant || grant.guildId !== guildId) throw notGranted();
  if (await guildTakenElsewhere(ports, organizationId, guildId)) throw notInServer();
  return grant;
}

export async function discordOverview(ports: TSetupPorts, scope: TSetupScope) {
  const discord = ports.config.discord;
  if (!discord?.botToken || !discord.applicationId || !discord.clientSecret)
    return { configured: false as const, installUrl: null, guild: null };
  const q = new URL(discordInstallLink(discord.applicationId, discord.apiUrl));
  q.searchParams.set('response_type', 'code');
  q.searchParams.set('redirect_uri', discordRedirectUri(ports.webPublicUrl));
  q.searchParams.set('state', signDiscordState(ports, scope));
  const grant = await grantedGuild(ports, scope.organizationId, scope.projectId);
  return {
    configured: true as const,
    installUrl: q.toString(),
    guild: grant ? { id: grant.guildId, name: grant.guildName } : null,
  };
}

export async function discordChannels(ports: TSetupPorts, organizationId: string, projectId: string, guildId: string) {
  await requireGrant(ports, organizationId, projectId, guildId);
  try {
    const channels = await client(ports).listTextChannels(guildId);
    return { channels };
  } catch (err) {
    if (isBridgeError(err) && (err.platformCode === 50001 || err.platformCode === 10004 || err.platformCode === 10007))
      throw notInServer();
    throw toSetupError(err);
  }
}

const ZTokenAnswer = z.object({ guild: z.object({ id: z.string().regex(/^\d{15,25}$/), name: z.string().max(200) }) });

/**
 * GET /api/integrations/discord/callback?code=…&guild_id=…&state=… — Discord's redirect after the bot install: checks
 * state, session and role, exchanges the code, records the grant. Always a redirect to the bridges page. The guild
 * is taken from the code exchange only (never from the guild_id query parameter, which anyone can edit).
 */
export const finishDiscordInstall: TBrowserAction = async (ports, req) => {
  const raw = req.param('state');
  const state = raw ? verifyDiscordState(ports, raw) : null;
  if (!state)
    return {
      status: 400,
      body: {
        error: {
          code: 'bad_request',
          message: 'This install link is invalid or has expired; start again from the dashboard.',
        },
      },
    };
  return {
    redirect: await finishGrant(ports, {
      state,
      code: req.param('code'),
      error: req.param('error'),
      cookie: req.header('cookie'),
    }),
  };
};

async function finishGrant(
  ports: TSetupPorts,
  input: { state: TDiscordState; code: string | undefined; error: string | undefined; cookie: string | null },
): Promise<string> {
  const { organizationId, projectId, userId } = input.state;
  const page = new URL(
    `/app/o/${encodeURIComponent(organizationId)}/p/${encodeURIComponent(projectId)}/bridges`,
    ports.webPublicUrl,
  );
  const fail = (message: string) => {
    page.searchParams.set('discordError', message.slice(0, 300));
    return page.toString();
  };
  try {
    if (input.error) return fail(`The Discord install was not completed (${input.error.slice(0, 100)}).`);
    const installer = await ports.checkInstaller({ organizationId, userId, cookie: input.cookie });
    if (installer === 'signed_out')
      return fail('Sign in as the person who started the install, then try "Add the bot to your server" again.');
    if (installer === 'not_admin') return fail('Only an owner or admin of the organization can connect Discord.');
    const project = await ports.project(organizationId, projectId);
    if (!project) return fail('The project of this install no longer exists.');
    const discord = ports.config.discord;
    const clientId = discord?.applicationId;
    const clientSecret = discord?.clientSecret;
    if (!discord || !clientId || !clientSecret) return fail('Discord is not configured on this server.');
    if (!input.code || input.code.length > 500) return fail('Discord sent no authorization code; try again.');
    const res = await fetch(`${discord.apiUrl.replace(/\/$/, '')}/v10/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: 'authorization_code',
        code: input.code,
        redirect_uri: discordRedirectUri(ports.webPublicUrl),
      }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const parsed = ZTokenAnswer.safeParse(res.ok ? await res.json().catch(() => null) : null);
    if (!parsed.success) return fail('Discord refused the install code; try "Add the bot to your server" again.');
    const guild = parsed.data.guild;
    if (await guildTakenElsewhere(ports, organizationId, guild.id))
      return fail('That Discord server is already connected by another organization.');
    await ports.pending.save(
      GRANT_KIND,
      grantId(organizationId, projectId),
      { guildId: guild.id, guildName: guild.name },
      DISCORD_GRANT_TTL_SECONDS,
    );
    page.searchParams.set('discordGuild', guild.id);
    return page.toString();
  } catch (err) {
    ports.log.error({ organizationId, bridge: 'discord', err }, 'dashboard discord install callback failed');
    return fail('Something went wrong finishing the Discord install; try again.');
  }
}

/** Where a person grants a permission to the bot in one channel. */
const fixIt = (missing: string[], channel: string) =>
  `The bot is missing ${missing.map((m) => `"${m}"`).join(', ')} in #${channel}. In Discord: right-click #${channel} → Edit Channel → Permissions → add the PocketPing bot (or its role) and allow ${missing.length > 1 ? 'them' : 'it'}; then try again.`;

export async function connectDiscordChannel(
  ports: TSetupPorts,
  scope: TSetupScope,
  input: { guildId: string; channelId: string },
): Promise<{ connection: TSetupConnectionCard; warning?: string }> {
  await requireGrant(ports, scope.organizationId, scope.projectId, input.guildId);
  let check;
  try {
    check = await client(ports).checkChannel(input.guildId, input.channelId);
  } catch (err) {
    if (isBridgeError(err) && (err.platformCode === 50001 || err.platformCode === 10004 || err.platformCode === 10007))
      throw notInServer();
    if (isBridgeError(err) && err.platformCode === 10003)
      throw new AppError('unprocessable', 'That channel no longer exists; pick another one.');
    throw toSetupError(err);
  }
  if (check.missing.length > 0)
    throw new AppError('unprocessable', fixIt(check.missing, check.channel.name), { missing: check.missing });
  const sealed = ports.seal(JSON.stringify({ guildId: check.guild.id, channelId: check.channel.id }));
  const names = { targetName: check.channel.name, scopeName: check.guild.name };
  const existingId = await ports.connections.idInProject(scope, 'discord', check.channel.id);
  let connectionId: string;
  if (existingId) {
    await ports.connections.replaceCredentials(scope.organizationId, existingId, sealed, names);
    connectionId = existingId;
  } else {
    connectionId = (
      await ports.connections.create(scope.organizationId, {
        projectId: scope.projectId,
        kind: 'discord',
        sealedCredentials: sealed,
        targetId: check.channel.id,
        targetScope: check.guild.id,
        ...names,
      })
    ).id;
  }
  await ports.audit(scope.organizationId, {
    actorType: 'user',
    actorId: scope.userId,
    action: existingId ? 'connection.discord.reconnect' : 'connection.discord.connect',
    targetType: 'bridge_connection',
    targetId: connectionId,
    metadata: { projectId: scope.projectId, guildId: check.guild.id, channelId: check.channel.id },
  });
  const card = await ports.connections.card(scope.organizationId, scope.projectId, connectionId);
  if (!card) throw new AppError('internal', 'Connection vanished after connecting.');
  const warning =
    check.missingOptional.length > 0
      ? `Connected. Optional: allow "${check.missingOptional.join('", "')}" in #${check.channel.name} so the bot can reopen archived, locked threads.`
      : undefined;
  return { connection: card, ...(warning ? { warning } : {}) };
}

/** The bot-install link and the server this project was granted (no input). */
const overview: TSetupStep = {
  method: 'GET',
  opensSetup: 'json',
  run: async (ports, scope) => ({ json: await discordOverview(ports, scope) }),
};

/** The dashboard's Discord setup: add the shared bot to a server (OAuth), then pick one of its text channels. */
export const discordSetup: TChatAppSetup = {
  steps: {
    '': overview,
    channels: setupStep({
      method: 'GET',
      input: z.object({ guildId: ZDiscordId }),
      run: async (ports, scope, query) => ({
        json: await discordChannels(ports, scope.organizationId, scope.projectId, query.guildId),
      }),
    }),
    connect: setupStep({
      method: 'POST',
      input: z.object({ guildId: ZDiscordId, channelId: ZDiscordId }),
      run: async (ports, scope, body) => ({ json: await connectDiscordChannel(ports, scope, body) }),
    }),
  },
  browser: { callback: finishDiscordInstall },
  async postTestMessage(config, connection, text) {
    const d = ZDiscordCredentials.parse(connection.credentials());
    if (!config.discord?.botToken)
      throw new AppError('unavailable', 'Discord is not configured on this server (DISCORD_BOT_TOKEN).');
    await createDiscordSetupClient({ apiUrl: config.discord.apiUrl, botToken: config.discord.botToken }).postText(
      d.channelId,
      text,
    );
  },
};
