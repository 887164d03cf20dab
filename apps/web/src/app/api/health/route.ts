// GET /api/health — is this web process configured and can it reach Postgres and Redis
import { NextResponse } from 'next/server';
import { getContext, type TWebContext } from '~/server/context';
import { withTimeout } from '~/server/with-timeout';
import { pingRedis } from '~/server/ping-redis';
import { pingDatabase } from '@pocketping/db';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const CHECK_TIMEOUT_MS = 1_500;

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
    withTimeout(pingRedis(ctx.producer.redis, CHECK_TIMEOUT_MS), CHECK_TIMEOUT_MS, 'redis').then(
      (pong) => pong === 'PONG',
      (err: unknown) => (ctx.log.warn({ err }, 'health: redis check failed'), false),
    ),
  ]);
  const ok = db && redis;
  return NextResponse.json({ ok, db, redis }, { status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
