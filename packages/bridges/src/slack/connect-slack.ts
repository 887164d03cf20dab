import { z } from 'zod';
import type { WebClient } from '@slack/web-api';
import { BridgeError } from '../bridge-error.js';
import { createSlackClient, DEFAULT_SLACK_API_URL } from './create-slack-client.js';
import { ZSlackCredentials, type TSlackCredentials } from './credentials.js';
import { toBridgeError } from './to-bridge-error.js';

/** What the caller stores as a BridgeConnection (kind slack): seal `credentials`, keep the rest in the clear. */
export interface TSlackConnectionDraft {
  credentials: TSlackCredentials;
  /** Channel id. */
  targetId: string;
  /** Team id. */
  targetScope: string;
  channelName: string;
  teamName: string | null;
  summary: string;
}

const ZChannelId = z.string().regex(/^[CG][A-Z0-9]{2,30}$/, 'not a Slack channel id (expected "C…")');

async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toBridgeError(method, err);
  }
}

/**
 * Puts the bot in the channel and checks it can work there: the channel exists, is not archived, and the bot is
 * (now) a member. Private channels cannot be joined by a bot; it must be invited, which is what the error says.
 */
async function joinAndDescribe(wc: WebClient, channelId: string): Promise<{ name: string }> {
  const info = await call('conversations.info', () => wc.conversations.info({ channel: channelId }));
  const ch = info.channel;
  if (!ch?.id)
    throw new BridgeError({
      kind: 'target_gone',
      platform: 'slack',
      method: 'conversations.info',
      message: 'The Slack channel was not found',
    });
  if (ch.is_archived)
    throw new BridgeError({
      kind: 'target_gone',
      platform: 'slack',
      method: 'conversations.info',
      message: `#${ch.name ?? channelId} is archived; pick another channel`,
    });
  if (!ch.is_member) {
    if (ch.is_private) {
      throw new BridgeError({
        kind: 'forbidden',
        platform: 'slack',
        method: 'conversations.join',
        message: `#${ch.name ?? channelId} is private: invite the app there with /invite, then connect again`,
      });
    }
    await call('conversations.join', () => wc.conversations.join({ channel: channelId }));
  }
  return { name: ch.name ?? channelId };
}

/** The manual option (CLI, self-hosters with their own Slack app): a bot token and a channel id, checked with auth.test + conversations.info. */
export async function connectSlackWithToken(input: {
  apiUrl?: string;
  botToken: string;
  channelId: string;
}): Promise<TSlackConnectionDraft> {
  const token = ZSlackCredentials.shape.botToken.safeParse(input.botToken);
  if (!token.success)
    throw new BridgeError({
      kind: 'unauthorized',
      platform: 'slack',
      method: 'credentials',
      message: 'The Slack token must be a bot token ("xoxb-…")',
    });
  const channel = ZChannelId.safeParse(input.channelId);
  if (!channel.success)
    throw new BridgeError({
      kind: 'rejected',
      platform: 'slack',
      method: 'credentials',
      message: channel.error.issues[0]?.message ?? 'bad channel id',
    });
  const wc = createSlackClient(token.data, input.apiUrl ?? DEFAULT_SLACK_API_URL);
  const auth = await call('auth.test', () => wc.auth.test());
  const credentials = ZSlackCredentials.safeParse({
    botToken: token.data,
    teamId: auth.team_id,
    botUserId: auth.user_id,
    botId: auth.bot_id,
  });
  if (!credentials.success || !auth.bot_id) {
    throw new BridgeError({
      kind: 'unauthorized',
      platform: 'slack',
      method: 'auth.test',
      message: 'The token is not a Slack bot token (auth.test returned no bot)',
    });
  }
  const { name } = await joinAndDescribe(wc, channel.data);
  return {
    credentials: credentials.data,
    targetId: channel.data,
    targetScope: credentials.data.teamId,
    channelName: name,
    teamName: auth.team ?? null,
    summary: `@${auth.user ?? 'bot'} in #${name} (${auth.team ?? credentials.data.teamId})`,
  };
}

/** The answer of oauth.v2.access for a bot install, as far as we rely on it. */
const ZOAuthV2Access = z.looseObject({
  ok: z.literal(true),
  access_token: z.string(),
  token_type: z.literal('bot'),
  scope: z.string().optional(),
  bot_user_id: z.string(),
  app_id: z.string().optional(),
  team: z.looseObject({ id: z.string(), name: z.string().optional() }),
});

/**
 * The "Add to Slack" callback's work: trade the code for a bot token (oauth.v2.access), pick the channel (the one
 * asked for at install, else the first public channel — the picker comes with the dashboard), join it, and
 * describe the connection to store. Nothing is stored here; this package never touches the database.
 */
export async function exchangeSlackOAuthCode(input: {
  apiUrl?: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  channelId?: string | null;
}): Promise<TSlackConnectionDraft> {
  const apiUrl = input.apiUrl ?? DEFAULT_SLACK_API_URL;
  const anonymous = createSlackClient(undefined, apiUrl);
  const raw = await call('oauth.v2.access', () =>
    anonymous.oauth.v2.access({
      client_id: input.clientId,
      client_secret: input.clientSecret,
      code: input.code,
      redirect_uri: input.redirectUri,
    }),
  );
  const access = ZOAuthV2Access.safeParse(raw);
  if (!access.success) {
    throw new BridgeError({
      kind: 'rejected',
      platform: 'slack',
      method: 'oauth.v2.access',
      message: 'Slack did not return a bot token for this install',
    });
  }
  const botToken = access.data.access_token;
  const wc = createSlackClient(botToken, apiUrl);
  let channelId = input.channelId ?? null;
  if (!channelId) {
    const list = await call('conversations.list', () =>
      wc.conversations.list({ types: 'public_channel', exclude_archived: true, limit: 200 }),
    );
    const first = (list.channels ?? []).find((ch) => ch.id && !ch.is_archived && !ch.is_private);
    if (!first?.id)
      throw new BridgeError({
        kind: 'target_gone',
        platform: 'slack',
        method: 'conversations.list',
        message: 'The Slack workspace has no public channel to post in',
      });
    channelId = first.id;
  }
  const channel = ZChannelId.safeParse(channelId);
  if (!channel.success)
    throw new BridgeError({
      kind: 'rejected',
      platform: 'slack',
      method: 'conversations.info',
      message: channel.error.issues[0]?.message ?? 'bad channel id',
    });
  const auth = await call('auth.test', () => wc.auth.test());
  const credentials = ZSlackCredentials.safeParse({
    botToken,
    teamId: access.data.team.id,
    botUserId: access.data.bot_user_id,
    botId: auth.bot_id,
  });
  if (!credentials.success)
    throw new BridgeError({
      kind: 'rejected',
      platform: 'slack',
      method: 'oauth.v2.access',
      message: 'Slack returned an install we cannot use (unexpected token or ids)',
    });
  const { name } = await joinAndDescribe(wc, channel.data);
  const teamName = access.data.team.name ?? null;
  return {
    credentials: credentials.data,
    targetId: channel.data,
    targetScope: credentials.data.teamId,
    channelName: name,
    teamName,
    summary: `@${auth.user ?? 'bot'} in #${name} (${teamName ?? credentials.data.teamId})`,
  };
}
