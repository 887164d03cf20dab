// POST /api/webhooks/slack — Events API of the shared Slack app (operator replies, edits, deletes)
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '../../../../server/context';
import { readRawBody } from '../../../../server/read-raw-body';
import { handleSlackEvents, MAX_SLACK_EVENT_BYTES } from '../../../../server/webhooks/slack';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function POST(req: NextRequest): Promise<NextResponse> {
  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    // getEnv() has logged which variables are wrong; a 5xx makes Slack retry once we are fixed.
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }

  // The signature covers the exact bytes: read them raw, never re-serialise; counted while they stream in.
  const read = await readRawBody(req, MAX_SLACK_EVENT_BYTES);
  if (!read.ok) return read.response;
  const rawBody = read.body.toString('utf8');

  const result = await handleSlackEvents(
    {
      db: ctx.db,
      producer: ctx.producer,
      log: ctx.log,
      signingSecret: ctx.env.SLACK_SIGNING_SECRET,
      reorderWindowMs: ctx.env.INBOUND_REORDER_WINDOW_MS,
    },
    {
      rawBody,
      timestampHeader: req.headers.get('x-slack-request-timestamp'),
      signatureHeader: req.headers.get('x-slack-signature'),
      retryNumHeader: req.headers.get('x-slack-retry-num'),
    },
  );
  return NextResponse.json(result.body, { status: result.status });
}
