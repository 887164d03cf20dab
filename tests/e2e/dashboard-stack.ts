// The boot shared by the dashboard browser tests (accounts, team, inbox): a fresh database, the built web app
// (`next start`, with NEXT_DIST_DIR passed through), optionally the real realtime server, the worker and the fake
// SMTP server,
// one headless Chromium, and one folder for attachment bytes that web and realtime share (like .data/uploads).
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
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
import { createDb, createOrganizationWithOwner, createProject, type TDb } from '@pocketping/db';
import { hashPassword } from '../../apps/web/src/server/auth/password';

export const SHOTS = path.join(REPO_ROOT, 'artifacts/screenshots');

export interface TDashboardStack {
  database: TTestDatabase;
  db: TDb;
  webUrl: string;
  /** Set when booted with `realtime: true`. */
  realtimeUrl: string | null;
  /** Set when booted with `smtp`. */
  smtp: TFakeSmtp | null;
  /** The environment every app of the stack shares (database, Redis prefix, encryption key…). */
  env: Record<string, string>;
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
    /** Also start the worker (webhook deliveries, chat-app deliveries…), with these variables added. */
    worker?: { env?: Record<string, string> };
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
        ...(opts.worker
          ? [
              spawnApp('worker', {
                env: { ...env, LOG_LEVEL: 'info', TELEGRAM_UPDATES_MODE: 'webhook', ...opts.worker.env },
                readyWhen: (out) => out.includes('worker started'),
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
  return { database, db, webUrl, realtimeUrl, smtp, env, browser, filesDir, stop };
}

/**
 * A new owner (verified email, password) with an organization and one project, logged in through the real login
 * form on a new browser page.
 */
export async function signInNewOwner(
  stack: TDashboardStack,
  opts: { orgName: string; allowedOrigins?: string[] },
): Promise<{ page: Page; organizationId: string; project: { id: string; publicKey: string } }> {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const email = `owner-${randomBytes(4).toString('hex')}@example.test`;
  const { organization, userId } = await createOrganizationWithOwner(stack.db, {
    email,
    orgName: opts.orgName,
    userName: 'Olive Owner',
  });
  await stack.db.user.update({
    where: { id: userId },
    data: { emailVerified: new Date(), passwordHash: await hashPassword(password) },
  });
  const project = await createProject(stack.db, organization.id, {
    name: `${opts.orgName} site`,
    allowedOrigins: opts.allowedOrigins ?? [],
  });
  const { page } = await signedInPage(stack, { email, password }, `/app/o/${organization.id}/p/${project.id}/inbox`);
  return { page, organizationId: organization.id, project: { id: project.id, publicKey: project.publicKey } };
}

/** A new browser context signed in with email + password through the login page, on `next`. */
export async function signedInPage(
  stack: Pick<TDashboardStack, 'browser' | 'webUrl'>,
  creds: { email: string; password: string },
  next: string,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await stack.browser.newContext({ viewport });
  const page = await ctx.newPage();
  await page.goto(`${stack.webUrl}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email', { exact: true }).fill(creds.email);
  await page.getByLabel('Password').fill(creds.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname === next.split('?')[0]);
  return { ctx, page };
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
