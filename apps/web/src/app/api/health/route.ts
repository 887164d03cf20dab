// GET /api/health — is this web process configured and can it reach Postgres and Redis
import { once } from 'node:events';
import { NextResponse } from 'next/server';
import { getContext, type TWebContext } from '~/server/context';
import { withTimeout } from '~/server/with-timeout';
import { pingDatabase } from '@pocketping/db';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const CHECK_TIMEOUT_MS = 1_500;

/** The producer connection refuses commands while (re)connecting; give a fresh one its chance to come up. */
async function pingRedis(redis: TWebContext['producer']['redis']): Promise<string> {
  // The signal removes the listener when Redis stays down; once() also rejects on the client's 'error' event.
  if (redis.status !== 'ready') await once(redis, 'ready', { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
  return redis.ping();
}

export async function GET(): Promise<NextResponse> {
  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    return NextResponse.json(
      { ok: false, db: false, redis: false, error: 'configuration' },
      { status: 503, headers: { 'cache-control': 'no-store' } },
    );
  }
  const [db, redis] = await Promise.all([
    withTimeout(pingDatabase(ctx.db), CHECK_TIMEOUT_MS, 'postgres').then(
      () => true,
      (err: unknown) => (ctx.log.warn({ err }, 'health: postgres check failed'), false),
    ),
    withTimeout(pingRedis(ctx.producer.redis), CHECK_TIMEOUT_MS, 'redis').then(
      (pong) => pong === 'PONG',
      (err: unknown) => (ctx.log.warn({ err }, 'health: redis check failed'), false),
    ),
  ]);
  const ok = db && redis;
  return NextResponse.json({ ok, db, redis }, { status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
