import { z } from 'zod';
import { BridgeError } from '../bridge-error.js';
import { createSlackClient, DEFAULT_SLACK_API_URL } from './create-slack-client.js';
import { ZSlackCredentials, type TSlackCredentials } from './credentials.js';
import { escapeSlackText } from './escape-mrkdwn.js';
import { toBridgeError } from './to-bridge-error.js';

/**
 * The dashboard's Slack setup, in two steps: first a bot token (pasted, or from "Add to Slack"), checked and
 * described; then a channel picked from the workspace's public channels (the bot joins it with
 * connectSlackWithToken). Nothing here touches the database.
 */

async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toBridgeError(method, err);
  }
}

export interface TSlackBotIdentity {
  credentials: TSlackCredentials;
  teamName: string | null;
  botName: string | null;
}

/** auth.test on a pasted token: it must be a bot token of a workspace. */
export async function checkSlackBotToken(input: { apiUrl?: string; botToken: string }): Promise<TSlackBotIdentity> {
  const token = ZSlackCredentials.shape.botToken.safeParse(input.botToken);
  if (!token.success)
    throw new BridgeError({
      kind: 'unauthorized',
      platform: 'slack',
      method: 'credentials',
      message: 'The Slack token must be a bot token ("xoxb-…", OAuth & Permissions → Bot User OAuth Token)',
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
  return { credentials: credentials.data, teamName: auth.team ?? null, botName: auth.user ?? null };
}

const ZOAuthV2Access = z.looseObject({
  ok: z.literal(true),
  access_token: z.string(),
  token_type: z.literal('bot'),
  bot_user_id: z.string(),
  team: z.looseObject({ id: z.string(), name: z.string().optional() }),
});

/** "Add to Slack" callback without a channel yet: trade the code for the bot token (oauth.v2.access) and describe it. */
export async function exchangeSlackOAuthIdentity(input: {
  apiUrl?: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
}): Promise<TSlackBotIdentity> {
  const apiUrl = input.apiUrl ?? DEFAULT_SLACK_API_URL;
  const raw = await call('oauth.v2.access', () =>
    createSlackClient(undefined, apiUrl).oauth.v2.access({
      client_id: input.clientId,
      client_secret: input.clientSecret,
      code: input.code,
      redirect_uri: input.redirectUri,
    }),
  );
  const access = ZOAuthV2Access.safeParse(raw);
  if (!access.success)
    throw new BridgeError({
      kind: 'rejected',
      platform: 'slack',
      method: 'oauth.v2.access',
      message: 'Slack did not return a bot token for this install',
    });
  const identity = await checkSlackBotToken({ apiUrl, botToken: access.data.access_token });
  return { ...identity, teamName: access.data.team.name ?? identity.teamName };
}

export interface TSlackChannelChoice {
  id: string;
  name: string;
  isMember: boolean;
  members: number | null;
}

/** Public, unarchived channels of the workspace (a bot cannot join private ones by itself), by name; at most 1,000. */
export async function listSlackPublicChannels(input: {
  apiUrl?: string;
  botToken: string;
}): Promise<TSlackChannelChoice[]> {
  const wc = createSlackClient(input.botToken, input.apiUrl ?? DEFAULT_SLACK_API_URL);
  const out: TSlackChannelChoice[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 5; page++) {
    const res = await call('conversations.list', () =>
      wc.conversations.list({
        types: 'public_channel',
        exclude_archived: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      }),
    );
    for (const ch of res.channels ?? []) {
      if (!ch.id || ch.is_archived || ch.is_private) continue;
      out.push({
        id: ch.id,
        name: ch.name ?? ch.id,
        isMember: ch.is_member === true,
        members: typeof ch.num_members === 'number' ? ch.num_members : null,
      });
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A plain, escaped post in the channel (setup confirmation, "send a test message"). */
export async function postSlackText(input: {
  apiUrl?: string;
  botToken: string;
  channelId: string;
  text: string;
}): Promise<{ ts: string }> {
  const wc = createSlackClient(input.botToken, input.apiUrl ?? DEFAULT_SLACK_API_URL);
  const res = await call('chat.postMessage', () =>
    wc.chat.postMessage({
      channel: input.channelId,
      text: escapeSlackText(input.text),
      unfurl_links: false,
      unfurl_media: false,
      link_names: false,
      parse: 'none',
    }),
  );
  return { ts: res.ts ?? '' };
}
