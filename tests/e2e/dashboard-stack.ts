// The boot shared by the dashboard browser tests (accounts, team, inbox): a fresh database, the built web app
// (`next start`, with NEXT_DIST_DIR passed through), optionally the real realtime server and the fake SMTP server,
// one headless Chromium, and one folder for attachment bytes that web and realtime share (like .data/uploads).
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  REPO_ROOT,
  TEST_REDIS_URL,
  createTestDatabase,
  freePort,
  spawnApp,
  startFakeSmtp,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TAppProcess,
  type TFakeSmtp,
  type TTestDatabase,
} from '@pocketping/testkit';
import { createDb, type TDb } from '@pocketping/db';

export const SHOTS = path.join(REPO_ROOT, 'artifacts/screenshots');

export interface TDashboardStack {
  database: TTestDatabase;
  db: TDb;
  webUrl: string;
  /** Set when booted with `realtime: true`. */
  realtimeUrl: string | null;
  /** Set when booted with `smtp`. */
  smtp: TFakeSmtp | null;
  browser: Browser;
  /** STORAGE_LOCAL_DIR of web and realtime. */
  filesDir: string;
  stop(): Promise<void>;
}

/**
 * `host: 'localhost'` for tests of Auth.js links: Next normalises loopback hosts to "localhost" in the URL it hands
 * route handlers, so magic links and redirects say localhost and the public URL must match (as with `npm start`).
 */
export async function bootDashboardStack(
  opts: {
    smtp?: 'with-viewer' | 'no-viewer';
    realtime?: boolean;
    host?: 'localhost' | '127.0.0.1';
    webEnv?: Record<string, string>;
  } = {},
): Promise<TDashboardStack> {
  const smtp = opts.smtp ? await startFakeSmtp(opts.smtp === 'no-viewer' ? { viewerPort: false } : {}) : null;
  const database = await createTestDatabase('pp_e2e');
  const db = createDb(database.url);
  const filesDir = await mkdtemp(path.join(tmpdir(), 'pp-dash-e2e-'));
  const [webPort, realtimePort] = [await freePort(), opts.realtime ? await freePort() : 0];
  const webUrl = `http://${opts.host ?? '127.0.0.1'}:${webPort}`;
  const realtimeUrl = opts.realtime ? `http://127.0.0.1:${realtimePort}` : null;
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniqueRedisPrefix(),
    ENCRYPTION_KEY: testEncryptionKey(),
    AUTH_SECRET: randomBytes(32).toString('hex'),
    WEB_PUBLIC_URL: webUrl,
    // Without realtime, a port nothing listens on: the inbox shows "offline", nothing else needs it.
    REALTIME_PUBLIC_URL: realtimeUrl ?? 'http://127.0.0.1:1',
    STORAGE_LOCAL_DIR: filesDir,
    LOG_LEVEL: 'warn',
    ...(smtp ? { SMTP_URL: smtp.url } : {}),
  };
  const apps: TAppProcess[] = [];
  const stop = async () => {
    await browser?.close();
    await Promise.allSettled(apps.map((a) => a.stop()));
    await db.$disconnect();
    await database.drop();
    await rm(filesDir, { recursive: true, force: true });
    await smtp?.close();
  };
  let browser: Browser | undefined;
  try {
    apps.push(
      ...(await Promise.all([
        spawnApp('web', {
          env: {
            ...env,
            ...opts.webEnv,
            PORT: String(webPort),
            ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
          },
          readyUrl: `${webUrl}/api/health`,
          timeoutMs: 90_000,
        }),
        ...(realtimeUrl
          ? [
              spawnApp('realtime', {
                env: { ...env, REALTIME_PORT: String(realtimePort), REALTIME_HOST: '127.0.0.1' },
                readyUrl: `${realtimeUrl}/health`,
              }),
            ]
          : []),
      ])),
    );
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  mkdirSync(SHOTS, { recursive: true });
  return { database, db, webUrl, realtimeUrl, smtp, browser, filesDir, stop };
}

/** A browser context signed in through the log-in page as `email`, landed on `next` (a path of the web app). */
export async function signedIn(
  stack: Pick<TDashboardStack, 'browser' | 'webUrl'>,
  email: string,
  password: string,
  next: string,
) {
  const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${stack.webUrl}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email', { exact: true }).first().fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname === next);
  return { ctx, page };
}
