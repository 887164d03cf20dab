// POST /api/webhooks/slack — Events API of the shared Slack app (operator replies, edits, deletes)
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '~/server/context';
import { readBodyWithLimit } from '~/server/read-body-with-limit';
import { handleSlackEvents, MAX_SLACK_EVENT_BYTES } from '~/server/webhooks/slack';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const tooLarge = () => NextResponse.json({ error: { code: 'payload_too_large', message: `Body exceeds ${MAX_SLACK_EVENT_BYTES} bytes` } }, { status: 413 });

export async function POST(req: NextRequest): Promise<NextResponse> {
  // Refuse an announced oversize body before reading a byte of it; a chunked one is cut off while reading.
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > MAX_SLACK_EVENT_BYTES) return tooLarge();

  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    // getEnv() has logged which variables are wrong; a 5xx makes Slack retry once we are fixed.
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }

  // The signature covers the exact bytes: read them raw, never re-serialise.
  const rawBody = await readBodyWithLimit(req, MAX_SLACK_EVENT_BYTES);
  if (rawBody === null) return tooLarge();

  const result = await handleSlackEvents(
    { db: ctx.db, producer: ctx.producer, log: ctx.log, signingSecret: ctx.env.SLACK_SIGNING_SECRET, reorderWindowMs: ctx.env.INBOUND_REORDER_WINDOW_MS },
    {
      rawBody,
      timestampHeader: req.headers.get('x-slack-request-timestamp'),
      signatureHeader: req.headers.get('x-slack-signature'),
      retryNumHeader: req.headers.get('x-slack-retry-num'),
    },
  );
  return NextResponse.json(result.body, { status: result.status });
}
