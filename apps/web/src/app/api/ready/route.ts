// GET /api/ready — may this web process take traffic: Postgres and Redis answer and every migration shipped with
// this build is applied (a rollout waits for the migration job). Liveness is GET /api/live.
import path from 'node:path';
import { NextResponse } from 'next/server';
import { checkReadiness } from '@pocketping/db';
import { getContext } from '~/server/context';
import { pingRedis } from '~/server/ping-redis';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(): Promise<NextResponse> {
  const noStore = { 'cache-control': 'no-store' };
  let ctx;
  try {
    ctx = getContext();
  } catch {
    return NextResponse.json({ ok: false, error: 'configuration' }, { status: 503, headers: noStore });
  }
  // `next start` and the standalone server both run with apps/web as the working directory.
  const migrationsDir = ctx.env.MIGRATIONS_DIR ?? path.resolve(process.cwd(), '../../prisma/migrations');
  const redis = ctx.producer.redis;
  const ready = await checkReadiness({ db: ctx.db, pingRedis: () => pingRedis(redis, 1_500), migrationsDir });
  return NextResponse.json(ready, { status: ready.ok ? 200 : 503, headers: noStore });
}
