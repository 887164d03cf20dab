// Two realtime PROCESSES sharing one Redis prefix: a visitor's tab on node A receives what the same visitor's tab
// on node B sends, and an operator reply pushed by the worker through the Redis emitter reaches both tabs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseKeyRing } from '@pocketping/core';
import { appendMessage, bootstrapTenant, createDb, type TDb } from '@pocketping/db';
import { createRedis } from '@pocketping/jobs';
import type { TSendAck } from '@pocketping/protocol';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  freePort,
  spawnApp,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TAppProcess,
  type TTestDatabase,
} from '@pocketping/testkit';
import { createWidgetPushFromRedis } from '../../apps/worker/src/visitor/widget-signals.js';
import { clientId, connectWidget } from './realtime-harness.js';

let database: TTestDatabase;
let db: TDb;
let nodes: TAppProcess[] = [];
let urls: string[] = [];
let dir: string;
const redisConfig = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
const redis = createRedis(TEST_REDIS_URL, 'worker');

beforeAll(async () => {
  database = await createTestDatabase('pp_rt2');
  db = createDb(database.url, { poolSize: 3 });
  dir = await mkdtemp(path.join(tmpdir(), 'pp-rt2-'));
  const key = testEncryptionKey();
  const ports = [await freePort(), await freePort()];
  urls = ports.map((p) => `http://127.0.0.1:${p}`);
  nodes = await Promise.all(
    ports.map((p, i) =>
      spawnApp('realtime', {
        env: {
          DATABASE_URL: database.url,
          REDIS_URL: redisConfig.url,
          REDIS_PREFIX: redisConfig.prefix,
          ENCRYPTION_KEY: key,
          REALTIME_PORT: String(p),
          REALTIME_HOST: '127.0.0.1',
          REALTIME_PUBLIC_URL: urls[i]!,
          STORAGE_LOCAL_DIR: dir,
          LOG_LEVEL: 'warn',
        },
        readyUrl: `${urls[i]}/health`,
      }),
    ),
  );
  void parseKeyRing(key);
});
afterAll(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop()));
  redis.disconnect();
  await db?.$disconnect();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('two realtime nodes', () => {
  it("tab on A gets what tab on B sends, and the worker's emitter push reaches both", async () => {
    const origin = `https://two-nodes-${randomBytes(3).toString('hex')}.test`;
    const t = await bootstrapTenant(db, parseKeyRing(testEncryptionKey()), {
      email: 'o@two.test',
      orgName: 'Two',
      allowedOrigins: [origin],
    });
    const onA = await connectWidget(urls[0]!, { projectKey: t.project.publicKey, origin });
    const onB = await connectWidget(urls[1]!, {
      projectKey: t.project.publicKey,
      origin,
      visitorToken: onA.session.visitorToken!,
    });
    expect(onB.session.visitorId).toBe(onA.session.visitorId);

    const sent = await onB.ack<TSendAck>('message:send', { clientId: clientId(), body: 'sent on node B' });
    if (!sent.ok) throw new Error('send');
    await waitFor(() => onA.messages().some((m) => m.body === 'sent on node B'), { what: 'B → A', timeoutMs: 5_000 });

    const reply = await appendMessage(db, t.organization.id, {
      conversationId: sent.message.conversationId,
      sender: 'operator',
      authorName: 'Op',
      body: 'from the worker',
      source: 'telegram',
    });
    createWidgetPushFromRedis(redis, redisConfig).message(sent.message.conversationId, reply.message);
    await waitFor(
      () =>
        onA.messages().some((m) => m.body === 'from the worker') &&
        onB.messages().some((m) => m.body === 'from the worker'),
      { what: 'worker push on both nodes', timeoutMs: 5_000 },
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(onA.messages().map((m) => m.body)).toEqual(['sent on node B', 'from the worker']);
    expect(onB.messages().map((m) => m.body)).toEqual(['from the worker']);
    onA.close();
    onB.close();
  });
});
