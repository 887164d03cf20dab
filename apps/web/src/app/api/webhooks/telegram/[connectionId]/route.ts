// POST /api/webhooks/telegram/:connectionId — operator replies from Telegram
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '../../../../../server/context';
import { readRawBody } from '../../../../../server/read-raw-body';
import { handleTelegramWebhook, MAX_WEBHOOK_BODY_BYTES } from '../../../../../server/webhooks/telegram';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function POST(
  req: NextRequest,
  { params }: { params: Promise<{ connectionId: string }> },
): Promise<NextResponse> {
  const { connectionId } = await params;

  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    // getEnv() has logged which variables are wrong; a 5xx makes Telegram redeliver once we are fixed.
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }

  // Counted while it streams in (a chunked body has no Content-Length to check): past the limit, 413 at once.
  const read = await readRawBody(req, MAX_WEBHOOK_BODY_BYTES);
  if (!read.ok) return read.response;
  const rawBody = read.body.toString('utf8');

  const result = await handleTelegramWebhook(
    { ...ctx, reorderWindowMs: ctx.env.INBOUND_REORDER_WINDOW_MS },
    {
      connectionId,
      secretHeader: req.headers.get('x-telegram-bot-api-secret-token'),
      rawBody,
    },
  );
  return NextResponse.json(result.body, { status: result.status });
}
