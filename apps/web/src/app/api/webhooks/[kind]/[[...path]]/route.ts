// POST /api/webhooks/:kind[/…] — every chat app's inbound webhook (Telegram /telegram/:connectionId, Slack events,
// Discord interactions), found in the registry by kind; the handler in its folder verifies and stores.
import { NextResponse, type NextRequest } from 'next/server';
import { findWebhook } from '@pocketping/bridges';
import { getContext, type TWebContext } from '~/server/context';
import { readRawBody } from '~/server/read-raw-body';
import { createWebhookPorts, webhookBridgesConfig } from '~/server/chat-apps/webhook-ports';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function POST(
  req: NextRequest,
  { params }: { params: Promise<{ kind: string; path?: string[] }> },
): Promise<NextResponse> {
  const { kind, path = [] } = await params;

  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    // getEnv() has logged which variables are wrong; a 5xx makes the platform redeliver once we are fixed.
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }
  const webhook = findWebhook(webhookBridgesConfig(ctx.env), kind);
  if (!webhook || path.length !== webhook.pathSegments)
    return NextResponse.json({ error: { code: 'not_found', message: 'Unknown webhook' } }, { status: 404 });

  // Signatures cover the exact bytes: read them raw, never re-serialise; counted while they stream in (a chunked
  // body has no Content-Length to check): past the chat app's limit, 413 at once.
  const read = await readRawBody(req, webhook.maxBodyBytes);
  if (!read.ok) return read.response;

  const result = await webhook.handle(
    createWebhookPorts({ ...ctx, reorderWindowMs: ctx.env.INBOUND_REORDER_WINDOW_MS }),
    { path, header: (name) => req.headers.get(name), rawBody: read.body.toString('utf8') },
  );
  return NextResponse.json(result.body, { status: result.status });
}
