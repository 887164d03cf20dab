// The platform as a new customer meets it: no tenant, no bootstrap. A fresh database and Redis prefix, the fake
// Telegram (a bot and a forum group the customer "owns"), the fake Slack (a workspace with #general and #support and a
// bot token the customer pastes), the fake Discord (the shared bot, already in the customer's server with a #support
// channel), the fake SMTP server, and web (`next start`), realtime and worker as real processes.
// WEB_PUBLIC_URL uses localhost: Next hands route handlers "localhost" for loopback hosts, so Auth.js's links and
// redirects say localhost and the public URL must match.
import { randomBytes } from 'node:crypto';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  freePort,
  spawnApp,
  startFakeDiscord,
  startFakeSlack,
  startFakeSmtp,
  startFakeTelegram,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TAppProcess,
  type TFakeDiscord,
  type TFakeSlack,
  type TFakeSmtp,
  type TFakeTelegram,
  type TTestDatabase,
} from '@pocketping/testkit';

export interface TCustomerStack {
  db: TTestDatabase;
  smtp: TFakeSmtp;
  telegram: { fake: TFakeTelegram; botToken: string; botUsername: string; chatId: number };
  slack: { fake: TFakeSlack; teamId: string; supportChannel: string; generalChannel: string; botToken: string };
  discord: { fake: TFakeDiscord; guildId: string; channelId: string };
  env: Record<string, string>;
  webUrl: string;
  realtimeUrl: string;
  apps: { web: TAppProcess; realtime: TAppProcess; worker: TAppProcess };
  stop(): Promise<void>;
}

export async function bootCustomerStack(): Promise<TCustomerStack> {
  const smtp = await startFakeSmtp({ viewerPort: false });

  const telegram = await startFakeTelegram();
  const botToken = `${100000 + Math.floor(Math.random() * 800000)}:${randomBytes(24).toString('base64url')}`;
  const bot = telegram.addBot(botToken, { username: 'acme_support_bot' });
  const chat = telegram.addForumChat({ title: 'Acme support', isForum: true, botIsAdmin: true, canManageTopics: true });

  const slackFake = await startFakeSlack();
  const slackTeam = slackFake.addTeam({ name: 'Acme' }).id;
  const slackGeneral = slackFake.addChannel({ teamId: slackTeam, name: 'general' }).id;
  const slackSupport = slackFake.addChannel({ teamId: slackTeam, name: 'support' }).id;
  const slackBot = slackFake.addBot({ teamId: slackTeam, name: 'pocketping' });

  const discordFake = await startFakeDiscord({ heartbeatIntervalMs: 2_000 });
  const discordGuild = discordFake.addGuild({ name: 'Acme', botInGuild: false }).id;
  const discordChannel = discordFake.addTextChannel(discordGuild, { name: 'support' }).id;

  const db = await createTestDatabase('pp_e2e');
  const [webPort, realtimePort] = [await freePort(), await freePort()];
  const webUrl = `http://localhost:${webPort}`;
  const realtimeUrl = `http://127.0.0.1:${realtimePort}`;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniqueRedisPrefix(),
    ENCRYPTION_KEY: testEncryptionKey(),
    AUTH_SECRET: randomBytes(32).toString('hex'),
    WEB_PUBLIC_URL: webUrl,
    REALTIME_PUBLIC_URL: realtimeUrl,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    SLACK_API_URL: slackFake.apiUrl,
    SLACK_CLIENT_ID: slackFake.clientId,
    SLACK_CLIENT_SECRET: slackFake.clientSecret,
    SLACK_SIGNING_SECRET: slackFake.signingSecret,
    DISCORD_API_URL: discordFake.apiUrl,
    DISCORD_BOT_TOKEN: discordFake.token,
    DISCORD_APPLICATION_ID: discordFake.applicationId,
    DISCORD_CLIENT_SECRET: discordFake.clientSecret,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'PocketPing <no-reply@pocketping.test>',
    PORT: String(webPort),
    REALTIME_PORT: String(realtimePort),
    REALTIME_HOST: '127.0.0.1',
    SWEEP_INTERVAL_MS: '1000',
    LOG_LEVEL: 'info',
    // A web build in its own folder (parallel runs share the checkout): `next start` must get the same NEXT_DIST_DIR.
    ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
  };

  const [web, realtime, worker] = await Promise.all([
    spawnApp('web', { env, readyUrl: `${webUrl}/api/health`, timeoutMs: 120_000 }),
    spawnApp('realtime', { env, readyUrl: `${realtimeUrl}/health`, timeoutMs: 60_000 }),
    spawnApp('worker', { env, readyWhen: (s) => s.includes('worker started'), timeoutMs: 60_000 }),
  ]);
  const apps = { web, realtime, worker };
  slackFake.setEventsUrl(`${webUrl}/api/webhooks/slack`);

  return {
    db,
    smtp,
    telegram: { fake: telegram, botToken, botUsername: bot.username, chatId: chat.id },
    slack: {
      fake: slackFake,
      teamId: slackTeam,
      supportChannel: slackSupport,
      generalChannel: slackGeneral,
      botToken: slackBot.token,
    },
    discord: { fake: discordFake, guildId: discordGuild, channelId: discordChannel },
    env,
    webUrl,
    realtimeUrl,
    apps,
    async stop() {
      await Promise.allSettled([apps.web.stop(), apps.realtime.stop(), apps.worker.stop()]);
      await Promise.allSettled([telegram.close(), slackFake.close(), discordFake.close(), smtp.close()]);
      await db.drop();
    },
  };
}
