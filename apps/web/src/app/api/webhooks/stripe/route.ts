// POST /api/webhooks/stripe — Stripe events (checkout, subscriptions, invoices, customers), applied by the worker
import { NextResponse, type NextRequest } from 'next/server';
import { MAX_STRIPE_EVENT_BYTES } from '@pocketping/billing';
import { getContext, type TWebContext } from '~/server/context';
import { readRawBody } from '~/server/read-raw-body';
import { getStripe } from '~/server/billing/stripe-client';
import { handleStripeWebhook } from '~/server/billing/stripe-webhook';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function POST(req: NextRequest): Promise<NextResponse> {
  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    // getEnv() has logged which variables are wrong; a 5xx makes Stripe retry once we are fixed.
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }
  // The signature covers the exact bytes: read them raw, never re-serialise; counted while they stream in.
  const read = await readRawBody(req, MAX_STRIPE_EVENT_BYTES);
  if (!read.ok) return read.response;
  const result = await handleStripeWebhook(
    {
      db: ctx.db,
      producer: ctx.producer,
      log: ctx.log,
      stripe: getStripe(ctx.env),
      webhookSecret: ctx.env.STRIPE_WEBHOOK_SECRET,
    },
    { rawBody: read.body.toString('utf8'), signatureHeader: req.headers.get('stripe-signature') },
  );
  return NextResponse.json(result.body, { status: result.status });
}
