// GET /api/live — liveness: the server process answers. It touches no store, so an outage of Postgres or Redis
// never makes an orchestrator restart every web pod at once (readiness, GET /api/ready, takes them out of traffic).
import { NextResponse } from 'next/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export function GET(): NextResponse {
  return NextResponse.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
}
