// POST /api/webhooks/telegram/:connectionId — operator replies from Telegram
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '~/server/context';
import { readBodyWithLimit } from '~/server/read-body-with-limit';
import { handleTelegramWebhook, MAX_WEBHOOK_BODY_BYTES } from '~/server/webhooks/telegram';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const tooLarge = () =>
  NextResponse.json({ error: { code: 'payload_too_large', message: `Body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes` } }, { status: 413 });

export async function POST(req: NextRequest, { params }: { params: Promise<{ connectionId: string }> }): Promise<NextResponse> {
  const { connectionId } = await params;

  // Refuse an announced oversize body before reading a byte of it; a chunked one is cut off while reading.
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > MAX_WEBHOOK_BODY_BYTES) return tooLarge();

  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    // getEnv() has logged which variables are wrong; a 5xx makes Telegram redeliver once we are fixed.
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }

  const rawBody = await readBodyWithLimit(req, MAX_WEBHOOK_BODY_BYTES);
  if (rawBody === null) return tooLarge();

  const result = await handleTelegramWebhook({ ...ctx, reorderWindowMs: ctx.env.INBOUND_REORDER_WINDOW_MS }, {
    connectionId,
    secretHeader: req.headers.get('x-telegram-bot-api-secret-token'),
    rawBody,
  });
  return NextResponse.json(result.body, { status: result.status });
}
