/* eslint-disable @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers; a loose type keeps assertions short */
// Test harness for dashboard route handlers: a fresh database with the committed migrations, a private Redis
// prefix, the web env pointing at them, real users/organizations, and session cookies minted exactly like
// Auth.js mints them. Route handlers are called in-process as Next would call them.
import { encode } from 'next-auth/jwt';
import {
  createTestDatabase,
  testEncryptionKey,
  uniqueRedisPrefix,
  TEST_REDIS_URL,
  type TTestDatabase,
} from '@pocketping/testkit';
import type { Role } from '@pocketping/db';
import type { TWebContext } from '../context';

export const TEST_WEB_URL = 'http://127.0.0.1:3999';
export const TEST_AUTH_SECRET = 'test-auth-secret-0123456789abcdefghijklmnop';

export interface TWebTestEnv {
  database: TTestDatabase;
  /** The web app's context (Prisma client, producer, mailer…), built from the test env. */
  app(): Promise<TWebContext>;
  createUser(input?: {
    email?: string;
    verified?: boolean;
    password?: string;
    name?: string;
  }): Promise<{ id: string; email: string }>;
  createOrg(ownerId: string, name?: string): Promise<{ id: string }>;
  addMember(orgId: string, userId: string, role: Role): Promise<void>;
  createProject(orgId: string, name?: string): Promise<{ id: string; publicKey: string }>;
  sessionCookie(userId: string, sessionVersion?: number): Promise<string>;
  /** Calls an exported route handler (GET/POST/…) with a session cookie, JSON body and path params. */
  call(
    handler: (req: Request, segment: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>,
    opts: {
      method?: string;
      path?: string;
      params?: Record<string, string>;
      body?: unknown;
      cookie?: string;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; json: any; headers: Headers }>;
  close(): Promise<void>;
}

let counter = 0;

/** Call once per test file (in beforeAll) BEFORE the first call into web code: it sets process.env. */
export async function setupWebTestEnv(extraEnv: Record<string, string> = {}): Promise<TWebTestEnv> {
  const database = await createTestDatabase('pp_web');
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniqueRedisPrefix(),
    ENCRYPTION_KEY: testEncryptionKey(),
    AUTH_SECRET: TEST_AUTH_SECRET,
    WEB_PUBLIC_URL: TEST_WEB_URL,
    REALTIME_PUBLIC_URL: 'http://127.0.0.1:3998',
    ...extraEnv,
  });
  const { getContext } = await import('../context');
  const app = async () => getContext();

  return {
    database,
    app,
    async createUser(input = {}) {
      const { db } = await app();
      const { hashPassword } = await import('../auth/password');
      const email = (input.email ?? `user${++counter}-${Date.now()}@example.test`).toLowerCase();
      const user = await db.user.create({
        data: {
          email,
          name: input.name ?? null,
          emailVerified: input.verified === false ? null : new Date(),
          passwordHash: input.password ? await hashPassword(input.password) : null,
        },
      });
      return { id: user.id, email };
    },
    async createOrg(ownerId, name = 'Acme') {
      const { db } = await app();
      const org = await db.organization.create({
        data: { name, slug: `${name.toLowerCase().replace(/\W+/g, '-')}-${++counter}-${Date.now()}` },
      });
      await db.membership.create({ data: { organizationId: org.id, userId: ownerId, role: 'owner' } });
      return { id: org.id };
    },
    async addMember(orgId, userId, role) {
      const { db } = await app();
      await db.membership.create({ data: { organizationId: orgId, userId, role } });
    },
    async createProject(orgId, name = 'Site') {
      const { db } = await app();
      const { createProject } = await import('@pocketping/db');
      const p = await createProject(db, orgId, { name, allowedOrigins: ['https://example.test'] });
      return { id: p.id, publicKey: p.publicKey };
    },
    async sessionCookie(userId, sessionVersion = 0) {
      const name = 'authjs.session-token';
      const token = await encode({ token: { sub: userId, sv: sessionVersion }, secret: TEST_AUTH_SECRET, salt: name });
      return `${name}=${token}`;
    },
    async call(handler, opts) {
      const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.cookie) headers.cookie = opts.cookie;
      if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
      const req = new Request(`${TEST_WEB_URL}${opts.path ?? '/api/app/test'}`, {
        method,
        headers,
        body:
          opts.body === undefined
            ? undefined
            : typeof opts.body === 'string' || opts.body instanceof Uint8Array
              ? (opts.body as BodyInit)
              : JSON.stringify(opts.body),
      });
      const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
      const text = await res.text();
      let json: any = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = text;
      }
      return { status: res.status, json, headers: res.headers };
    },
    async close() {
      const { db, producer } = await app();
      await db.$disconnect();
      await producer.close().catch(() => undefined);
      await database.drop();
    },
  };
}
