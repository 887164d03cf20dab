import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret, sha256 } from '@pocketping/core';
import { createVisitor, getOrCreateOpenConversation } from '@pocketping/db';
import {
  startFakeDiscord,
  startFakeSlack,
  startFakeTelegram,
  type TFakeDiscord,
  type TFakeSlack,
  type TFakeTelegram,
} from '@pocketping/testkit';
import { setupWebTestEnv, type TWebTestEnv } from '../testing/web-test-env';
import * as listRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/bridges/route';
import * as connectionRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/bridges/[connectionId]/route';
import * as testRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/bridges/[connectionId]/test/route';
import { GET as integrationRoute } from '../../app/api/integrations/[kind]/[...action]/route';
import { signDiscordState as signDiscordStateWith } from '@pocketping/bridges';
import { setupRoute } from '../testing/setup-route';
import { signState } from '../signed-state';

// The chat apps' setup steps, through the one catch-all setup route (/bridges/setup/<kind>[/<step>]).
const telegramRoute = setupRoute('telegram');
const telegramStatusRoute = setupRoute('telegram', 'status');
const slackInstallRoute = setupRoute('slack', 'install');
const slackTokenRoute = setupRoute('slack', 'token');
const slackChannelsRoute = setupRoute('slack', 'channels');
const slackConnectRoute = setupRoute('slack', 'connect');
const discordRoute = setupRoute('discord');
const discordChannelsRoute = setupRoute('discord', 'channels');
const discordConnectRoute = setupRoute('discord', 'connect');

/** The Discord install state signed with `secret` (the web app's signed state, as its setup ports sign it). */
const signDiscordState = (secret: string, s: Parameters<typeof signDiscordStateWith>[1], nowMs?: number) =>
  signDiscordStateWith(
    { signState: (purpose, fields, ttl, now) => signState(secret, purpose, fields, ttl, now) },
    s,
    nowMs,
  );

// The catch-all integrations route, with the params Next gives it for each OAuth redirect URI.
type TIntegrationRequest = Parameters<typeof integrationRoute>[0];
const slackCallback = (req: TIntegrationRequest) =>
  integrationRoute(req, { params: Promise.resolve({ kind: 'slack', action: ['callback'] }) });
const discordCallback = (req: TIntegrationRequest) =>
  integrationRoute(req, { params: Promise.resolve({ kind: 'discord', action: ['callback'] }) });

// Bridge setup through the real route handlers, against the fake Telegram, Slack and Discord servers, with real
// Postgres and Redis. Every JSON answer is also checked for the tokens it must never contain.

let env: TWebTestEnv;
let telegram: TFakeTelegram;
let slack: TFakeSlack;
let discord: TFakeDiscord;
/** Every secret a test handed to the app: none may ever appear in an answer. */
const secrets: string[] = [];
let answers: string[] = [];

beforeAll(async () => {
  telegram = await startFakeTelegram();
  slack = await startFakeSlack({ clientId: '1111111111.2222222222', clientSecret: 'abcdefabcdefabcdefabcdefabcdef12' });
  discord = await startFakeDiscord();
  env = await setupWebTestEnv({
    TELEGRAM_API_ROOT: telegram.apiRoot,
    SLACK_API_URL: slack.apiUrl,
    SLACK_CLIENT_ID: slack.clientId,
    SLACK_CLIENT_SECRET: slack.clientSecret,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_CLIENT_SECRET: discord.clientSecret,
  });
  secrets.push(discord.token, discord.clientSecret);
});
afterAll(async () => {
  await env?.close();
  await Promise.all([telegram?.close(), slack?.close(), discord?.close()]);
});

type THandler = Parameters<TWebTestEnv['call']>[0];
async function call(handler: THandler, opts: Parameters<TWebTestEnv['call']>[1]) {
  const res = await env.call(handler, opts);
  answers.push(JSON.stringify(res.json));
  return res;
}

let seq = 0;
async function adminWithProject(name = 'Shop') {
  const owner = await env.createUser();
  const org = await env.createOrg(owner.id);
  const project = await env.createProject(org.id, name);
  const cookie = await env.sessionCookie(owner.id);
  return { owner, org, project, cookie, params: { orgId: org.id, projectId: project.id } };
}

/** Runs the Discord bot install (consent → callback) so the project may connect that server. */
async function grantDiscordGuild(params: Record<string, string>, cookie: string, guildId: string) {
  const link = new URL((await env.call(discordRoute.GET, { params, cookie })).json.installUrl);
  const redirectUri = link.searchParams.get('redirect_uri')!;
  const { code } = discord.consentBotInstall({ guildId, redirectUri });
  const { NextRequest } = await import('next/server');
  const res = await discordCallback(
    new NextRequest(`${redirectUri}?code=${code}&state=${encodeURIComponent(link.searchParams.get('state')!)}`, {
      headers: { cookie },
    }),
  );
  expect(new URL(res.headers.get('location')!).searchParams.get('discordGuild')).toBe(guildId);
}

function newBotToken(): string {
  const token = `${7_000_000 + ++seq}:AAH${Math.random().toString(36).slice(2).padEnd(12, 'x')}abcdefghijklmnopq`;
  secrets.push(token);
  return token;
}

/** What a member of the group sending `/link CODE` looks like to getUpdates. */
async function sendLink(token: string, chat: { id: number; type?: string; title?: string }, text: string) {
  await telegram.deliverUpdate(token, {
    message: {
      message_id: 1000 + ++seq,
      date: Math.floor(Date.now() / 1000),
      text,
      chat: {
        id: chat.id,
        type: chat.type ?? 'supergroup',
        title: chat.title ?? 'Support',
        ...(chat.type === 'group' ? {} : { is_forum: true }),
      },
      from: { id: 42, is_bot: false, first_name: 'Ann' },
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }],
    },
  });
}

describe('telegram setup', () => {
  it('checks the token with getMe, links a forum group with /link CODE, registers nothing on http, replies in the group', async () => {
    const { params, cookie, org, project } = await adminWithProject('Acme Shop');
    const token = newBotToken();
    const bot = telegram.addBot(token, { username: 'acme_support_bot' });
    const chat = telegram.addForumChat({ title: 'Acme support' });

    const started = await call(telegramRoute.POST, { params, cookie, body: { botToken: token } });
    expect(started.status).toBe(200);
    expect(started.json.bot.username).toBe('acme_support_bot');
    expect(started.json.code).toMatch(/^[A-Z2-9]{8}$/);
    expect(started.json.instructions).toContain(`/link ${started.json.code}`);
    const setupId = started.json.setupId as string;

    // Nothing sent yet: waiting.
    const waiting = await call(telegramStatusRoute.POST, { params, cookie, body: { setupId } });
    expect(waiting.json.status).toBe('waiting');

    // Someone else's code, and the right code addressed to another bot, are not a link.
    await sendLink(token, { id: chat.id }, '/link WRONGCODE');
    await sendLink(token, { id: chat.id }, `/link@other_bot ${started.json.code}`);
    expect((await call(telegramStatusRoute.POST, { params, cookie, body: { setupId } })).json.status).toBe('waiting');

    await sendLink(token, { id: chat.id }, `/link@acme_support_bot ${started.json.code.toLowerCase()}`);
    const linked = await call(telegramStatusRoute.POST, { params, cookie, body: { setupId } });
    expect(linked.status).toBe(200);
    expect(linked.json.status).toBe('linked');
    expect(linked.json.webhook).toBe('polling'); // WEB_PUBLIC_URL is http in tests: the worker long-polls
    expect(linked.json.connection).toMatchObject({
      kind: 'telegram',
      targetId: String(chat.id),
      status: 'active',
      projectId: project.id,
      targetName: 'Acme support',
      scopeName: null,
    });

    const { db, keyRing } = await env.app();
    const row = await db.bridgeConnection.findFirstOrThrow({
      where: { organizationId: org.id, id: linked.json.connection.id },
    });
    const creds = JSON.parse(decryptSecret(keyRing, row.credentials)) as { botToken: string; webhookSecret: string };
    expect(creds.botToken).toBe(token);
    expect(row.webhookSecretHash).toBe(sha256(creds.webhookSecret));
    expect(row.targetScope).toBe(String(bot.id));
    secrets.push(creds.webhookSecret);
    expect(telegram.callsOf('setWebhook')).toHaveLength(0);
    const replies = telegram.messages(chat.id).filter((m) => m.fromBot);
    expect(replies.at(-1)?.text).toContain('Linked to Acme Shop ✅');

    // The setup is spent; and the same bot for another project is a conflict with a clear message.
    expect((await call(telegramStatusRoute.POST, { params, cookie, body: { setupId } })).status).toBe(404);
    const other = await env.createProject(org.id, 'Blog');
    const conflict = await call(telegramRoute.POST, {
      params: { orgId: org.id, projectId: other.id },
      cookie,
      body: { botToken: token },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.message).toContain('already connected to your project "Acme Shop"');
    const stranger = await adminWithProject();
    const foreign = await call(telegramRoute.POST, {
      params: stranger.params,
      cookie: stranger.cookie,
      body: { botToken: token },
    });
    expect(foreign.status).toBe(409);
    expect(foreign.json.error.message).toContain('another organization');
    expect(foreign.json.error.message).not.toContain('Acme Shop');
    const again = await call(telegramRoute.POST, { params, cookie, body: { botToken: token } });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain('already connected to this project');
  });

  it('never reads the updates of a bot someone else uses: a CLI-made connection, a webhook of another app', async () => {
    const { params, cookie } = await adminWithProject();
    // A connection made by `pocketping bootstrap` (bot id not recorded) in another organization.
    const legacyToken = newBotToken();
    telegram.addBot(legacyToken);
    const other = await adminWithProject();
    const { db, keyRing } = await env.app();
    const { encryptSecret } = await import('@pocketping/core');
    await db.bridgeConnection.create({
      data: {
        organizationId: other.org.id,
        projectId: other.project.id,
        kind: 'telegram',
        credentials: encryptSecret(keyRing, JSON.stringify({ botToken: legacyToken, webhookSecret: 'abc' })),
        targetId: '-100777',
      },
    });
    const legacy = await call(telegramRoute.POST, { params, cookie, body: { botToken: legacyToken } });
    expect(legacy.status).toBe(409);

    const hooked = newBotToken();
    telegram.addBot(hooked);
    const set = await fetch(`${telegram.apiRoot}/bot${hooked}/setWebhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://elsewhere.example/hook' }),
    });
    expect(set.status).toBe(200);
    const started = await call(telegramRoute.POST, { params, cookie, body: { botToken: hooked } });
    expect(started.status).toBe(200);
    const res = await call(telegramStatusRoute.POST, { params, cookie, body: { setupId: started.json.setupId } });
    expect(res.json).toMatchObject({ status: 'fix', problem: 'bot_in_use' });
    expect(telegram.webhookOf(hooked)?.url).toBe('https://elsewhere.example/hook'); // left alone
    expect(telegram.callsOf('deleteWebhook').filter((c) => c.token === hooked)).toHaveLength(0);
  });

  it('registers the webhook with a secret token when the public URL is https', async () => {
    const { params, cookie, org } = await adminWithProject();
    const token = newBotToken();
    telegram.addBot(token, { username: 'https_bot' });
    const chat = telegram.addForumChat();
    const started = await call(telegramRoute.POST, { params, cookie, body: { botToken: token } });
    await sendLink(token, { id: chat.id }, `/link ${started.json.code}`);
    const app = await env.app();
    const before = app.env.WEB_PUBLIC_URL;
    (app.env as { WEB_PUBLIC_URL: string }).WEB_PUBLIC_URL = 'https://chat.example.com';
    try {
      const linked = await call(telegramStatusRoute.POST, { params, cookie, body: { setupId: started.json.setupId } });
      expect(linked.json.status).toBe('linked');
      expect(linked.json.webhook).toBe('registered');
      const hook = telegram.webhookOf(token);
      expect(hook?.url).toBe(`https://chat.example.com/api/webhooks/telegram/${linked.json.connection.id}`);
      const row = await app.db.bridgeConnection.findFirstOrThrow({
        where: { organizationId: org.id, id: linked.json.connection.id },
      });
      expect(row.webhookSecretHash).toBe(sha256(hook!.secretToken!));
      secrets.push(hook!.secretToken!);
    } finally {
      (app.env as { WEB_PUBLIC_URL: string }).WEB_PUBLIC_URL = before;
    }
  });

  it('says to enable Topics in a group without them, and links once they are on', async () => {
    const { params, cookie } = await adminWithProject();
    const token = newBotToken();
    telegram.addBot(token, { username: 'topics_bot' });
    const chat = telegram.addForumChat({ title: 'Plain group', isForum: false });
    const started = await call(telegramRoute.POST, { params, cookie, body: { botToken: token } });
    await sendLink(token, { id: chat.id, title: 'Plain group' }, `/link ${started.json.code}`);
    const res = await call(telegramStatusRoute.POST, { params, cookie, body: { setupId: started.json.setupId } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'fix', problem: 'not_forum' });
    expect(res.json.message).toContain('Enable Topics in the group settings');
    expect(telegram.messages(chat.id).filter((m) => m.fromBot)).toHaveLength(0);

    // The admin turns Topics on: the remembered group is re-checked on the next poll, no second /link needed.
    telegram.addForumChat({ id: chat.id, title: 'Plain group', isForum: true });
    const linked = await call(telegramStatusRoute.POST, { params, cookie, body: { setupId: started.json.setupId } });
    expect(linked.json).toMatchObject({ status: 'linked', connection: { targetId: String(chat.id) } });
  });

  it('says to make the bot an admin, then to give it "Manage topics"', async () => {
    const { params, cookie } = await adminWithProject();
    const token = newBotToken();
    telegram.addBot(token, { username: 'member_bot' });
    const notAdmin = telegram.addForumChat({ botIsAdmin: false });
    const started = await call(telegramRoute.POST, { params, cookie, body: { botToken: token } });
    await sendLink(token, { id: notAdmin.id }, `/link ${started.json.code}`);
    const res = await call(telegramStatusRoute.POST, { params, cookie, body: { setupId: started.json.setupId } });
    expect(res.json).toMatchObject({ status: 'fix', problem: 'bot_not_admin' });
    expect(res.json.message).toContain('@member_bot');
    expect(res.json.message).toContain('administrator');

    const noTopics = telegram.addForumChat({ canManageTopics: false });
    await sendLink(token, { id: noTopics.id }, `/link ${started.json.code}`);
    const res2 = await call(telegramStatusRoute.POST, { params, cookie, body: { setupId: started.json.setupId } });
    expect(res2.json).toMatchObject({ status: 'fix', problem: 'no_topic_right' });
    expect(res2.json.message).toContain('Manage topics');

    const basic = await call(telegramRoute.POST, { params, cookie, body: { botToken: token } });
    await sendLink(token, { id: -4242, type: 'group', title: 'Old group' }, `/link ${basic.json.code}`);
    const res3 = await call(telegramStatusRoute.POST, { params, cookie, body: { setupId: basic.json.setupId } });
    expect(res3.json).toMatchObject({ status: 'fix', problem: 'basic_group' });
  });

  it('refuses a malformed token and a token Telegram rejects, with a message that says what to do', async () => {
    const { params, cookie } = await adminWithProject();
    const malformed = await call(telegramRoute.POST, { params, cookie, body: { botToken: 'hello' } });
    expect(malformed.status).toBe(422);
    expect(malformed.json.error.message).toContain('@BotFather');
    const unknown = newBotToken(); // never added to the fake: Telegram answers 401
    const bad = await call(telegramRoute.POST, { params, cookie, body: { botToken: unknown } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toContain('Telegram does not accept this token');
    // A setup id of another project is "expired", never someone else's status.
    const other = await adminWithProject();
    const token = newBotToken();
    telegram.addBot(token);
    const started = await call(telegramRoute.POST, {
      params: other.params,
      cookie: other.cookie,
      body: { botToken: token },
    });
    expect(
      (await call(telegramStatusRoute.POST, { params, cookie, body: { setupId: started.json.setupId } })).status,
    ).toBe(404);
  });
});

describe('slack setup', () => {
  it('manual bot token → channel picker → the bot joins the picked channel → connection', async () => {
    const { params, cookie, org } = await adminWithProject();
    const team = slack.addTeam({ name: 'Acme HQ' });
    const bot = slack.addBot({ teamId: team.id, name: 'pocketping' });
    secrets.push(bot.token);
    const general = slack.addChannel({ teamId: team.id, name: 'general' });
    const support = slack.addChannel({ teamId: team.id, name: 'support' });
    slack.addChannel({ teamId: team.id, name: 'secret', isPrivate: true });
    slack.addChannel({ teamId: team.id, name: 'old', isArchived: true });

    const bad = await call(slackTokenRoute.POST, { params, cookie, body: { botToken: 'xoxp-user-token' } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toContain('xoxb-');

    const started = await call(slackTokenRoute.POST, { params, cookie, body: { botToken: bot.token } });
    expect(started.status).toBe(200);
    expect(started.json.team).toEqual({ id: team.id, name: 'Acme HQ' });
    const picker = await call(slackChannelsRoute.GET, { params, cookie, path: `/x?setupId=${started.json.setupId}` });
    expect(picker.status).toBe(200);
    expect(picker.json.channels.map((c: { name: string }) => c.name)).toEqual(['general', 'support']);
    expect(picker.json.channels.find((c: { id: string }) => c.id === general.id).isMember).toBe(false);

    const connected = await call(slackConnectRoute.POST, {
      params,
      cookie,
      body: { setupId: started.json.setupId, channelId: support.id },
    });
    expect(connected.status).toBe(200);
    expect(connected.json.channel).toBe('support');
    expect(connected.json.connection).toMatchObject({
      kind: 'slack',
      targetId: support.id,
      targetScope: team.id,
      status: 'active',
      targetName: 'support',
      scopeName: 'Acme HQ',
    });
    expect(slack.callsOf('conversations.join').some((c) => c.params.channel === support.id)).toBe(true);
    const { db, keyRing } = await env.app();
    const row = await db.bridgeConnection.findFirstOrThrow({
      where: { organizationId: org.id, id: connected.json.connection.id },
    });
    expect(JSON.parse(decryptSecret(keyRing, row.credentials))).toMatchObject({
      botToken: bot.token,
      teamId: team.id,
      botUserId: bot.botUserId,
    });
    // The pending setup is spent.
    expect(
      (await call(slackChannelsRoute.GET, { params, cookie, path: `/x?setupId=${started.json.setupId}` })).status,
    ).toBe(404);
  });

  it('"Add to Slack" from the dashboard: signed state → callback checks the session user → channel picker', async () => {
    const { params, cookie, org } = await adminWithProject();
    const team = slack.addTeam({ name: 'OAuth Co' });
    const channel = slack.addChannel({ teamId: team.id, name: 'help' });
    const start = await env.call(slackInstallRoute.GET, { params, cookie });
    expect(start.status).toBe(302);
    const consent = new URL(start.headers.get('location')!);
    const state = consent.searchParams.get('state')!;
    const redirectUri = consent.searchParams.get('redirect_uri')!;
    const callbackUrl = (code: string) =>
      `${redirectUri}?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`;
    const { NextRequest } = await import('next/server');

    // Another signed-in user cannot finish it.
    const intruder = await env.createUser();
    const stolen = await slackCallback(
      new NextRequest(callbackUrl(slack.issueOAuthCode({ teamId: team.id, redirectUri })), {
        headers: { cookie: await env.sessionCookie(intruder.id) },
      }),
    );
    expect(stolen.status).toBe(302);
    expect(new URL(stolen.headers.get('location')!).searchParams.get('slackError')).toContain(
      'Sign in as the person who started',
    );

    const done = await slackCallback(
      new NextRequest(callbackUrl(slack.issueOAuthCode({ teamId: team.id, redirectUri })), { headers: { cookie } }),
    );
    expect(done.status).toBe(302);
    const back = new URL(done.headers.get('location')!);
    expect(back.pathname).toBe(`/app/o/${org.id}/p/${params.projectId}/bridges`);
    const setupId = back.searchParams.get('slackSetup')!;
    expect(setupId).toBeTruthy();
    const picker = await call(slackChannelsRoute.GET, { params, cookie, path: `/x?setupId=${setupId}` });
    expect(picker.json.team.name).toBe('OAuth Co');
    const connected = await call(slackConnectRoute.POST, { params, cookie, body: { setupId, channelId: channel.id } });
    expect(connected.json.connection).toMatchObject({
      targetId: channel.id,
      targetName: 'help',
      scopeName: 'OAuth Co',
    });
    const { db, keyRing } = await env.app();
    const row = await db.bridgeConnection.findFirstOrThrow({
      where: { organizationId: org.id, id: connected.json.connection.id },
    });
    secrets.push((JSON.parse(decryptSecret(keyRing, row.credentials)) as { botToken: string }).botToken);
  });
});

describe('discord setup', () => {
  /** The admin opens the install link, approves `guild` on Discord, and Discord redirects to our callback. */
  async function installDiscord(
    ctx: { params: Record<string, string>; cookie: string },
    guildId: string,
    opts: { callbackCookie?: string; state?: string; code?: string } = {},
  ) {
    const overview = await call(discordRoute.GET, { params: ctx.params, cookie: ctx.cookie });
    expect(overview.status).toBe(200);
    const link = new URL(overview.json.installUrl);
    const redirectUri = link.searchParams.get('redirect_uri')!;
    const state = opts.state ?? link.searchParams.get('state')!;
    const code = opts.code ?? discord.consentBotInstall({ guildId, redirectUri }).code;
    const { NextRequest } = await import('next/server');
    const res = await discordCallback(
      new NextRequest(
        `${redirectUri}?code=${encodeURIComponent(code)}&guild_id=${guildId}&permissions=1&state=${encodeURIComponent(state)}`,
        { headers: { cookie: opts.callbackCookie ?? ctx.cookie } },
      ),
    );
    const location = res.headers.get('location');
    answers.push(
      location ??
        JSON.stringify(
          await res
            .clone()
            .json()
            .catch(() => null),
        ),
    );
    return { res, location: location ? new URL(location) : null, link, overview };
  }

  it('OAuth2 bot install → callback → channels of that server only → permission check → connect', async () => {
    const { params, cookie, org, project } = await adminWithProject();
    const guild = discord.addGuild({ name: 'Acme Discord', botInGuild: false });
    const channel = discord.addTextChannel(guild.id, { name: 'support' });
    const locked = discord.addTextChannel(guild.id, { name: 'announcements' });
    discord.addTextChannel(guild.id, { name: 'voice', type: 2 });
    discord.removePermission(locked.id, 'SendMessagesInThreads');
    const elsewhere = discord.addGuild({ name: 'Secret Other Customer' });
    discord.addTextChannel(elsewhere.id, { name: 'other-support' });

    // Before the install: no server offered, and none accepted.
    const before = await call(discordRoute.GET, { params, cookie });
    expect(before.json.guild).toBeNull();
    expect(before.json).not.toHaveProperty('guilds');
    expect((await call(discordChannelsRoute.GET, { params, cookie, path: `/x?guildId=${elsewhere.id}` })).status).toBe(
      403,
    );

    const { location, link } = await installDiscord({ params, cookie }, guild.id);
    // Discord's consent screen, on the host of DISCORD_API_URL (here the fake's).
    expect(`${link.origin}${link.pathname}`).toBe(new URL('/oauth2/authorize', discord.apiUrl).toString());
    expect(link.searchParams.get('client_id')).toBe(discord.applicationId);
    expect(link.searchParams.get('scope')).toBe('bot');
    expect(link.searchParams.get('response_type')).toBe('code');
    expect(link.searchParams.get('redirect_uri')).toMatch(/\/api\/integrations\/discord\/callback$/);
    expect(BigInt(link.searchParams.get('permissions')!) & (1n << 35n)).toBe(1n << 35n);
    expect(location?.pathname).toBe(`/app/o/${org.id}/p/${project.id}/bridges`);
    expect(location?.searchParams.get('discordGuild')).toBe(guild.id);
    expect(discord.callsOf('POST /oauth2/token')).toHaveLength(1);

    const after = await call(discordRoute.GET, { params, cookie });
    expect(after.json.guild).toEqual({ id: guild.id, name: 'Acme Discord' });

    const channels = await call(discordChannelsRoute.GET, { params, cookie, path: `/x?guildId=${guild.id}` });
    expect(channels.status).toBe(200);
    expect(channels.json.channels.map((c: { name: string }) => c.name).sort()).toEqual(['announcements', 'support']);
    expect(channels.json.channels.find((c: { name: string }) => c.name === 'announcements').missing).toEqual([
      'Send Messages in Threads',
    ]);
    // Another server the bot is in: not granted to this project.
    expect((await call(discordChannelsRoute.GET, { params, cookie, path: `/x?guildId=${elsewhere.id}` })).status).toBe(
      403,
    );

    const refused = await call(discordConnectRoute.POST, {
      params,
      cookie,
      body: { guildId: guild.id, channelId: locked.id },
    });
    expect(refused.status).toBe(422);
    expect(refused.json.error.message).toContain('"Send Messages in Threads"');
    expect(refused.json.error.message).toContain('#announcements');

    discord.removePermission(channel.id, 'ManageThreads');
    const ok = await call(discordConnectRoute.POST, {
      params,
      cookie,
      body: { guildId: guild.id, channelId: channel.id },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.connection).toMatchObject({
      kind: 'discord',
      targetId: channel.id,
      targetScope: guild.id,
      targetName: 'support',
      scopeName: 'Acme Discord',
    });
    expect(ok.json.warning).toContain('Manage Threads');
    const { db, keyRing } = await env.app();
    const row = await db.bridgeConnection.findFirstOrThrow({
      where: { organizationId: org.id, id: ok.json.connection.id },
    });
    expect(JSON.parse(decryptSecret(keyRing, row.credentials))).toEqual({ guildId: guild.id, channelId: channel.id });

    // Another project of the same org, and another organization: not granted, refused.
    const sibling = await env.createProject(org.id, 'Sibling');
    const sp = { orgId: org.id, projectId: sibling.id };
    expect(
      (await call(discordConnectRoute.POST, { params: sp, cookie, body: { guildId: guild.id, channelId: channel.id } }))
        .status,
    ).toBe(403);
    const other = await adminWithProject();
    expect((await call(discordRoute.GET, { params: other.params, cookie: other.cookie })).json.guild).toBeNull();
    expect(
      (
        await call(discordConnectRoute.POST, {
          params: other.params,
          cookie: other.cookie,
          body: { guildId: guild.id, channelId: channel.id },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(discordChannelsRoute.GET, {
          params: other.params,
          cookie: other.cookie,
          path: `/x?guildId=${guild.id}`,
        })
      ).status,
    ).toBe(403);
    // Even after "installing" into that server (already connected by us), the other organization is refused.
    const taken = await installDiscord(other, guild.id);
    expect(taken.location?.searchParams.get('discordError')).toContain('another organization');
    expect(taken.location?.searchParams.get('discordGuild')).toBeNull();
    expect(
      (
        await call(discordConnectRoute.POST, {
          params: other.params,
          cookie: other.cookie,
          body: { guildId: guild.id, channelId: channel.id },
        })
      ).status,
    ).toBe(403);

    expect(answers.join('\n')).not.toContain('Secret Other Customer');
    expect(answers.join('\n')).not.toContain('other-support');
  });

  it('refuses a forged, expired or other-user state, and a wrong code', async () => {
    const { params, cookie, owner, org } = await adminWithProject();
    const guild = discord.addGuild({ name: 'Refused Guild', botInGuild: false });
    const { AUTH_SECRET } = (await env.app()).env;
    const tokenCalls = () => discord.callsOf('POST /oauth2/token').length;

    // Forged: signed with another secret.
    const forged = signDiscordState('x'.repeat(40), {
      organizationId: org.id,
      projectId: params.projectId!,
      userId: owner.id,
    });
    const f = await installDiscord({ params, cookie }, guild.id, { state: forged });
    expect(f.res.status).toBe(400);
    // Tampered payload.
    const good = new URL((await call(discordRoute.GET, { params, cookie })).json.installUrl).searchParams.get('state')!;
    const t = await installDiscord({ params, cookie }, guild.id, {
      state: `${Buffer.from(JSON.stringify({ o: org.id, p: params.projectId, u: 'someone', e: 9e9, n: 'x' })).toString('base64url')}.${good.split('.')[1]}`,
    });
    expect(t.res.status).toBe(400);
    // Expired (signed 11 minutes ago).
    const expired = signDiscordState(
      AUTH_SECRET,
      { organizationId: org.id, projectId: params.projectId!, userId: owner.id },
      Date.now() - 11 * 60_000,
    );
    expect((await installDiscord({ params, cookie }, guild.id, { state: expired })).res.status).toBe(400);

    const before = tokenCalls();
    // Another signed-in user (even an admin of the same org) cannot finish it.
    const intruder = await env.createUser();
    await env.addMember(org.id, intruder.id, 'admin');
    const stolen = await installDiscord({ params, cookie }, guild.id, {
      callbackCookie: await env.sessionCookie(intruder.id),
    });
    expect(stolen.location?.searchParams.get('discordError')).toContain('Sign in as the person who started');
    // Demoted to agent since: refused.
    const agentOwner = await adminWithProject();
    const demoted = await env.createUser();
    await env.addMember(agentOwner.org.id, demoted.id, 'agent');
    const dc = await env.sessionCookie(demoted.id);
    const agentState = signDiscordState(AUTH_SECRET, {
      organizationId: agentOwner.org.id,
      projectId: agentOwner.project.id,
      userId: demoted.id,
    });
    const byAgent = await installDiscord({ params, cookie }, guild.id, { state: agentState, callbackCookie: dc });
    expect(byAgent.location?.searchParams.get('discordError')).toContain('owner or admin');
    expect(tokenCalls()).toBe(before); // none of them reached the code exchange

    // A wrong code: Discord refuses it, nothing is granted.
    const wrong = await installDiscord({ params, cookie }, guild.id, { code: 'not-a-real-code' });
    expect(wrong.location?.searchParams.get('discordError')).toContain('refused');
    expect(wrong.location?.searchParams.get('discordGuild')).toBeNull();
    expect((await call(discordRoute.GET, { params, cookie })).json.guild).toBeNull();
    expect((await call(discordChannelsRoute.GET, { params, cookie, path: `/x?guildId=${guild.id}` })).status).toBe(403);
    // A code is single-use.
    const link = new URL((await call(discordRoute.GET, { params, cookie })).json.installUrl);
    const { code } = discord.consentBotInstall({
      guildId: guild.id,
      redirectUri: link.searchParams.get('redirect_uri')!,
    });
    expect(
      (await installDiscord({ params, cookie }, guild.id, { code })).location?.searchParams.get('discordGuild'),
    ).toBe(guild.id);
    expect(
      (await installDiscord({ params, cookie }, guild.id, { code })).location?.searchParams.get('discordError'),
    ).toContain('refused');
  });
});

describe('connection cards', () => {
  it('lists health, sends a test message through each bridge, marks a broken one, and disconnects', async () => {
    const { params, cookie, org } = await adminWithProject('Cards');
    // Telegram
    const token = newBotToken();
    telegram.addBot(token, { username: 'cards_bot' });
    const chat = telegram.addForumChat();
    const started = await call(telegramRoute.POST, { params, cookie, body: { botToken: token } });
    await sendLink(token, { id: chat.id }, `/link ${started.json.code}`);
    const tg = (await call(telegramStatusRoute.POST, { params, cookie, body: { setupId: started.json.setupId } })).json
      .connection;
    // Discord
    const guild = discord.addGuild({ name: 'Cards guild' });
    const dch = discord.addTextChannel(guild.id, { name: 'cards' });
    await grantDiscordGuild(params, cookie, guild.id);
    const dc = (
      await call(discordConnectRoute.POST, { params, cookie, body: { guildId: guild.id, channelId: dch.id } })
    ).json.connection;
    // Slack
    const team = slack.addTeam({ name: 'Cards team' });
    const sbot = slack.addBot({ teamId: team.id });
    secrets.push(sbot.token);
    const sch = slack.addChannel({ teamId: team.id, name: 'cards' });
    const sstart = await call(slackTokenRoute.POST, { params, cookie, body: { botToken: sbot.token } });
    const sc = (
      await call(slackConnectRoute.POST, { params, cookie, body: { setupId: sstart.json.setupId, channelId: sch.id } })
    ).json.connection;

    const list = await call(listRoute.GET, { params, cookie });
    expect(list.status).toBe(200);
    expect(list.json.connections.map((c: { kind: string }) => c.kind)).toEqual(['telegram', 'discord', 'slack']);
    expect(list.json.connections.every((c: { health: string }) => c.health === 'new')).toBe(true);

    for (const c of [tg, dc, sc]) {
      const res = await call(testRoute.POST, { params: { ...params, connectionId: c.id }, cookie, body: {} });
      expect(res.status).toBe(200);
      expect(res.json.connection.health).toBe('healthy');
      expect(res.json.connection.lastSuccessAt).not.toBeNull();
    }
    expect(telegram.messages(chat.id).at(-1)?.text).toContain('Test message from PocketPing');
    expect(discord.messages(dch.id).at(-1)?.content).toContain('Test message from PocketPing');
    expect(discord.messages(dch.id).at(-1)?.allowed_mentions).toEqual({ parse: [] });
    expect(slack.messages(sch.id).at(-1)?.text).toContain('Test message from PocketPing');

    // A revoked token: the test fails with the reason, and the card turns broken with it.
    telegram.revokeToken(token);
    const failed = await call(testRoute.POST, { params: { ...params, connectionId: tg.id }, cookie, body: {} });
    expect(failed.status).toBe(422);
    expect(failed.json.error.message).toContain('revoked');
    const after = (await call(listRoute.GET, { params, cookie })).json.connections.find(
      (c: { id: string }) => c.id === tg.id,
    );
    expect(after).toMatchObject({ health: 'broken', status: 'broken' });
    expect(after.statusReason).toContain('revoked');
    telegram.restoreToken(token);

    // Disconnect: gone, with its threads.
    const { db } = await env.app();
    const visitor = await createVisitor(db, org.id, {
      projectId: params.projectId,
      tokenHash: sha256(`vt-${Date.now()}`),
    });
    const conv = await getOrCreateOpenConversation(db, org.id, { projectId: params.projectId, visitorId: visitor.id });
    await db.bridgeThread.create({
      data: {
        organizationId: org.id,
        conversationId: conv.id,
        connectionId: dc.id,
        externalChatId: dch.id,
        externalThreadId: '123456789012345678',
      },
    });
    const del = await call(connectionRoute.DELETE, {
      method: 'DELETE',
      params: { ...params, connectionId: dc.id },
      cookie,
      body: {},
    });
    expect(del.status).toBe(200);
    expect(await db.bridgeConnection.count({ where: { organizationId: org.id, id: dc.id } })).toBe(0);
    expect(await db.bridgeThread.count({ where: { organizationId: org.id, connectionId: dc.id } })).toBe(0);
    expect(await db.conversation.count({ where: { organizationId: org.id, id: conv.id } })).toBe(1);
    expect(
      (
        await call(connectionRoute.DELETE, {
          method: 'DELETE',
          params: { ...params, connectionId: dc.id },
          cookie,
          body: {},
        })
      ).status,
    ).toBe(404);
    const left = (await call(listRoute.GET, { params, cookie })).json.connections.map((c: { id: string }) => c.id);
    expect(left).toEqual([tg.id, sc.id]);
  });

  it('agents get 403, other organizations 404, and no answer ever carries a credential', async () => {
    const { params, org, project } = await adminWithProject();
    const { db } = await env.app();
    const conn = await db.bridgeConnection.create({
      data: {
        organizationId: org.id,
        projectId: project.id,
        kind: 'telegram',
        credentials: 'v1:sealed',
        targetId: '-1001',
      },
    });
    const agent = await env.createUser();
    await env.addMember(org.id, agent.id, 'agent');
    const agentCookie = await env.sessionCookie(agent.id);
    const stranger = await adminWithProject();
    const cases: [THandler, Record<string, string>, unknown][] = [
      [listRoute.GET, params, undefined],
      [telegramRoute.POST, params, { botToken: '1:x' }],
      [slackTokenRoute.POST, params, { botToken: 'xoxb-1' }],
      [discordRoute.GET, params, undefined],
      [testRoute.POST, { ...params, connectionId: conn.id }, {}],
      [connectionRoute.DELETE, { ...params, connectionId: conn.id }, {}],
    ];
    for (const [handler, p, body] of cases) {
      const method = handler === connectionRoute.DELETE ? 'DELETE' : undefined;
      expect(
        (await call(handler, { params: p, cookie: agentCookie, body, ...(method ? { method } : {}) })).status,
      ).toBe(403);
      const foreign = await call(handler, { params: p, cookie: stranger.cookie, body, ...(method ? { method } : {}) });
      expect(foreign.status).toBe(404);
      // Their own org id with our project/connection ids: still not found.
      const mixed = await call(handler, {
        params: { ...p, orgId: stranger.org.id },
        cookie: stranger.cookie,
        body,
        ...(method ? { method } : {}),
      });
      expect(mixed.status).toBe(404);
    }
    expect(await db.bridgeConnection.count({ where: { id: conn.id } })).toBe(1);
  });

  it('never returned a credential in any answer of this file', () => {
    expect(answers.length).toBeGreaterThan(30);
    const all = answers.join('\n');
    for (const s of secrets) expect(all).not.toContain(s);
    expect(all).not.toMatch(/xoxb-[A-Za-z0-9]|"credentials"|webhookSecret|sealed/);
    answers = [];
  });
});
