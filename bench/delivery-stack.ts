// Shared by the delivery benchmarks: a fresh database, a private Redis prefix, the fake Telegram (no latency, no
// rate limit), one tenant with a Telegram connection, and ONE worker process (apps/worker as a real child process,
// the per-group token bucket turned off with TELEGRAM_GROUP_POSTS_PER_MINUTE=0).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseKeyRing, sha256 } from '@pocketping/core';
import {
  appendWidgetMessage,
  bootstrapTenant,
  createDb,
  createSqlPool,
  createVisitor,
  getOrCreateOpenConversation,
  type TDb,
} from '@pocketping/db';
import {
  REPO_ROOT,
  TEST_REDIS_URL,
  createTestDatabase,
  spawnApp,
  startFakeTelegram,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TAppProcess,
  type TFakeTelegram,
  type TTestDatabase,
} from '@pocketping/testkit';
import { createProducer, type TProducer } from '../packages/jobs/src/index.js';

export interface TBenchStack {
  db: TDb;
  database: TTestDatabase;
  telegram: TFakeTelegram;
  producer: TProducer;
  env: Record<string, string>;
  organizationId: string;
  chatId: number;
  /** The tenant's bot on the fake Telegram (to write as an operator in its group). */
  botToken: string;
  conversations: string[];
  worker: TAppProcess | null;
  startWorker(): Promise<TAppProcess>;
  /**
   * A visitor message as realtime writes it: appendWidgetMessage (one statement over plain node-postgres: message +
   * outbox rows, atomically), then the enqueue.
   */
  send(conversationId: string, body: string, enqueue?: boolean): Promise<void>;
  pending(): Promise<number>;
  close(): Promise<void>;
}

export async function startBenchStack(opts: { conversations: number; concurrency: number }): Promise<TBenchStack> {
  const database = await createTestDatabase('pp_bench');
  const db = createDb(database.url, { poolSize: 20 });
  const key = testEncryptionKey();
  const telegram = await startFakeTelegram();
  const botToken = `557001:${randomBytes(24).toString('base64url')}`;
  telegram.addBot(botToken);
  const chatId = telegram.addForumChat({ title: 'Bench' }).id;
  const tenant = await bootstrapTenant(db, parseKeyRing(key), {
    email: 'bench@bench.test',
    orgName: 'Bench',
    allowedOrigins: ['https://bench.test'],
    telegram: { botToken, chatId: String(chatId) },
  });
  const organizationId = tenant.organization.id;
  const prefix = uniqueRedisPrefix();
  const producer = createProducer({ url: TEST_REDIS_URL, prefix });
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    ENCRYPTION_KEY: key,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_GROUP_POSTS_PER_MINUTE: '0',
    WORKER_CONCURRENCY: String(opts.concurrency),
    SWEEP_INTERVAL_MS: '5000',
    LOG_LEVEL: 'info', // the readiness line is at info; the hot path logs nothing at info
  };
  const conversations: string[] = [];
  const visitorOf = new Map<string, string>();
  for (let i = 0; i < opts.conversations; i++) {
    const v = await createVisitor(db, organizationId, {
      projectId: tenant.project.id,
      tokenHash: sha256(randomBytes(8).toString('hex')),
      metadata: { pageUrl: 'https://bench.test/' },
    });
    const c = (await getOrCreateOpenConversation(db, organizationId, { projectId: tenant.project.id, visitorId: v.id }))
      .id;
    conversations.push(c);
    visitorOf.set(c, v.id);
  }
  const sql = createSqlPool(database.url, {
    poolSize: 20,
    onError: (err) => console.warn(`[bench] postgres pool: ${err.message}`),
  });
  const stack: TBenchStack = {
    db,
    database,
    telegram,
    producer,
    env,
    organizationId,
    chatId,
    botToken,
    conversations,
    worker: null,
    async startWorker() {
      if (process.env.BENCH_CPU_PROF_DIR) {
        // Profiling run: the same worker, started with --cpu-prof (not allowed in NODE_OPTIONS, so spawned here).
        const child = spawn(
          process.execPath,
          ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`, '--import', 'tsx', 'src/index.ts'],
          {
            cwd: path.join(REPO_ROOT, 'apps/worker'),
            env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
            stdio: 'ignore',
          },
        );
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        await new Promise((r) => setTimeout(r, 4_000));
        stack.worker = {
          name: 'worker',
          child,
          output: () => '',
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        };
        return stack.worker;
      }
      stack.worker = await spawnApp('worker', {
        env,
        readyWhen: (s) => s.includes('worker started'),
        timeoutMs: 60_000,
      });
      return stack.worker;
    },
    async send(conversationId, body, enqueue = true) {
      const r = await appendWidgetMessage(sql, organizationId, {
        conversationId,
        visitorId: visitorOf.get(conversationId) ?? '',
        sender: 'visitor',
        visibility: 'public',
        body,
        source: 'widget',
        clientId: `b-${randomBytes(8).toString('hex')}`,
      });
      if ('conversationGone' in r) throw new Error(`conversation ${conversationId} is gone`);
      if (enqueue) await producer.enqueueDeliveries(r.outbox);
    },
    pending: () => db.outboxEvent.count({ where: { organizationId, status: 'pending' } }),
    async close() {
      await stack.worker?.stop();
      await producer.close();
      await sql.end();
      await db.$disconnect();
      await telegram.close();
      if (!process.env.BENCH_KEEP_DB) await database.drop();
    },
  };
  return stack;
}

/** Opens every conversation's topic (first message + visitor card) so the measured messages are steady-state posts. */
export async function warmUp(stack: TBenchStack): Promise<void> {
  for (let i = 0; i < stack.conversations.length; i += 20)
    await Promise.all(stack.conversations.slice(i, i + 20).map((c) => stack.send(c, `warm-up ${c}`)));
  await waitFor(async () => (await stack.pending()) === 0, {
    timeoutMs: 120_000,
    intervalMs: 200,
    what: 'warm-up deliveries',
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux): contention-independent cost. */
/** CPU milliseconds of every process whose command name is `comm` (e.g. all `postgres` backends), from /proc. */
export function cpuMsOfAll(comm: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
    } catch {
      continue;
    }
    const ms = cpuMsOf(Number(entry));
    if (Number.isFinite(ms)) total += ms;
  }
  return total;
}

export function cpuMsOf(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}
