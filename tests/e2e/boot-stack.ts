// Boots the whole platform for an end-to-end test: a fresh database, a private Redis prefix, the fake Telegram,
// and web, realtime and worker as real processes. Tenant A is created through the real CLI (`pocketping
// bootstrap`), which also validates the bot and registers the webhook with the fake Telegram.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  REPO_ROOT,
  TEST_REDIS_URL,
  createTestDatabase,
  freePort,
  spawnApp,
  startFakeTelegram,
  startFakeDiscord,
  type TFakeDiscord,
  startFakeSlack,
  startFakeSmtp,
  type TFakeSmtp,
  type TFakeSlack,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TAppProcess,
  type TFakeTelegram,
  type TTestDatabase,
} from '@pocketping/testkit';

const exec = promisify(execFile);

export interface TTenantInfo {
  organizationId: string;
  projectKey: string;
  origin: string;
  connectionId?: string;
  chatId?: number;
  botToken?: string;
}

export interface TStack {
  db: TTestDatabase;
  telegram: TFakeTelegram;
  /** Present with bootStack({ discord: true }): the shared bot's fake, one guild + text channel connected for tenant A. */
  discord?: { fake: TFakeDiscord; guildId: string; channelId: string; connectionId: string };
  /**
   * Present with bootStack({ slack: true }): the shared Slack app's fake (workspace "Acme" with #general and
   * #support; events go to web's /api/webhooks/slack) and what a test needs to install it for tenant A through
   * the OAuth routes. No Slack connection exists until a test creates one.
   */
  slack?: {
    fake: TFakeSlack;
    teamId: string;
    supportChannel: string;
    generalChannel: string;
    apiKey: string;
    projectId: string;
    appToken?: string;
  };
  /** Present with bootStack({ smtp: true }): every email the apps send (the worker's SMTP_URL). */
  smtp?: TFakeSmtp;
  env: Record<string, string>;
  webUrl: string;
  realtimeUrl: string;
  tenantA: TTenantInfo;
  apps: { web: TAppProcess; realtime: TAppProcess; worker: TAppProcess };
  startWorker(): Promise<TAppProcess>;
  /** Stops realtime (every widget socket drops), runs `whileDown`, then starts it again on the same port. */
  restartRealtime(whileDown?: () => Promise<void>): Promise<void>;
  bootstrap(args: string[]): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** slackSocketMode: the worker gets SLACK_APP_TOKEN and Slack events go through Socket Mode instead of web. */
export async function bootStack(
  opts: {
    discord?: boolean;
    slack?: boolean;
    slackSocketMode?: boolean;
    /** The AI fallback against a provider (the fake OpenAI): the worker gets its URL and key. */
    ai?: { baseUrl: string; apiKey: string };
    smtp?: boolean;
  } = {},
): Promise<TStack> {
  const slackFake = opts.slack || opts.slackSocketMode ? await startFakeSlack() : null;
  const slackAppToken = opts.slackSocketMode ? slackFake!.enableSocketMode() : undefined;
  const slackTeam = slackFake?.addTeam({ name: 'Acme' }).id;
  const slackGeneral = slackTeam ? slackFake!.addChannel({ teamId: slackTeam, name: 'general' }).id : undefined;
  const slackSupport = slackTeam ? slackFake!.addChannel({ teamId: slackTeam, name: 'support' }).id : undefined;
  const discordFake = opts.discord ? await startFakeDiscord({ heartbeatIntervalMs: 2_000 }) : null;
  const discordGuild = discordFake?.addGuild({ name: 'Acme' }).id;
  const discordChannel = discordGuild ? discordFake!.addTextChannel(discordGuild, { name: 'support' }).id : undefined;
  const telegram = await startFakeTelegram();
  const smtp = opts.smtp ? await startFakeSmtp({ viewerPort: false }) : null;
  const botToken = `${100000 + Math.floor(Math.random() * 800000)}:${randomBytes(24).toString('base64url')}`;
  telegram.addBot(botToken, { username: 'pocketping_test_bot' });
  const chat = telegram.addForumChat({ title: 'Support', isForum: true, botIsAdmin: true, canManageTopics: true });

  const db = await createTestDatabase('pp_e2e');
  const [webPort, realtimePort] = [await freePort(), await freePort()];
  const webUrl = `http://127.0.0.1:${webPort}`;
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
    PORT: String(webPort),
    REALTIME_PORT: String(realtimePort),
    REALTIME_HOST: '127.0.0.1',
    SWEEP_INTERVAL_MS: '1000',
    LOG_LEVEL: 'info',
    // A web build in its own folder (parallel runs share the checkout): `next start` must get the same NEXT_DIST_DIR.
    ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
    ...(slackFake
      ? {
          SLACK_API_URL: slackFake.apiUrl,
          SLACK_CLIENT_ID: slackFake.clientId,
          SLACK_CLIENT_SECRET: slackFake.clientSecret,
          SLACK_SIGNING_SECRET: slackFake.signingSecret,
          ...(slackAppToken ? { SLACK_APP_TOKEN: slackAppToken } : {}),
        }
      : {}),
    ...(smtp ? { SMTP_URL: smtp.url } : {}),
    ...(opts.ai ? { OPENAI_BASE_URL: opts.ai.baseUrl, OPENAI_API_KEY: opts.ai.apiKey } : {}),
    ...(discordFake
      ? {
          DISCORD_API_URL: discordFake.apiUrl,
          DISCORD_BOT_TOKEN: discordFake.token,
          DISCORD_APPLICATION_ID: discordFake.applicationId,
        }
      : {}),
  };

  const bootstrap = async (args: string[]) => {
    const { stdout } = await exec(
      path.join(REPO_ROOT, 'node_modules/.bin/tsx'),
      [path.join(REPO_ROOT, 'apps/cli/src/index.ts'), 'bootstrap', ...args],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  const out = await bootstrap([
    '--email',
    'owner@a.example',
    '--org',
    'Tenant A',
    '--origin',
    webUrl,
    '--telegram-token',
    botToken,
    `--telegram-chat=${chat.id}`,
    ...(discordFake ? ['--discord-guild', discordGuild!, '--discord-channel', discordChannel!] : []),
  ]);
  const discordConnectionId = (out as { discord?: { connectionId: string } }).discord?.connectionId;
  const o = out as { organization: { id: string }; project: { publicKey: string }; telegram: { connectionId: string } };
  const tenantA: TTenantInfo = {
    organizationId: o.organization.id,
    projectKey: o.project.publicKey,
    origin: webUrl,
    connectionId: o.telegram.connectionId,
    chatId: chat.id,
    botToken,
  };

  const startWorker = () => spawnApp('worker', { env, readyWhen: (s) => s.includes('worker started') });
  const [web, realtime, worker] = await Promise.all([
    // Outside development /demo shows only the demo project: tenant A's.
    spawnApp('web', {
      env: { ...env, DEMO_PROJECT_KEY: o.project.publicKey },
      readyUrl: `${webUrl}/api/health`,
      timeoutMs: 90_000,
    }),
    spawnApp('realtime', { env, readyUrl: `${realtimeUrl}/health` }),
    startWorker(),
  ]);
  const apps = { web, realtime, worker };
  if (!slackAppToken) slackFake?.setEventsUrl(`${webUrl}/api/webhooks/slack`);
  const bootOut = out as { apiKey: { key: string }; project: { id: string } };

  return {
    db,
    telegram,
    ...(smtp ? { smtp } : {}),
    ...(slackFake
      ? {
          slack: {
            fake: slackFake,
            teamId: slackTeam!,
            supportChannel: slackSupport!,
            generalChannel: slackGeneral!,
            apiKey: bootOut.apiKey.key,
            projectId: bootOut.project.id,
            ...(slackAppToken ? { appToken: slackAppToken } : {}),
          },
        }
      : {}),
    ...(discordFake && discordConnectionId
      ? {
          discord: {
            fake: discordFake,
            guildId: discordGuild!,
            channelId: discordChannel!,
            connectionId: discordConnectionId,
          },
        }
      : {}),
    env,
    webUrl,
    realtimeUrl,
    tenantA,
    apps,
    startWorker,
    async restartRealtime(whileDown) {
      await apps.realtime.stop();
      await whileDown?.();
      apps.realtime = await spawnApp('realtime', { env, readyUrl: `${realtimeUrl}/health` });
    },
    bootstrap,
    async stop() {
      await Promise.allSettled([apps.web.stop(), apps.realtime.stop(), apps.worker.stop()]);
      await telegram.close();
      await smtp?.close();
      await discordFake?.close();
      await slackFake?.close();
      await db.drop();
    },
  };
}
