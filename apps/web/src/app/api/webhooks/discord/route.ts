// POST /api/webhooks/discord — Discord's interactions endpoint (Ed25519-signed; PING → PONG)
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '~/server/context';
import { readBodyWithLimit } from '~/server/read-body-with-limit';
import { handleDiscordInteraction, MAX_INTERACTION_BODY_BYTES } from '~/server/webhooks/discord';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const tooLarge = () =>
  NextResponse.json({ error: { code: 'payload_too_large', message: `Body exceeds ${MAX_INTERACTION_BODY_BYTES} bytes` } }, { status: 413 });

export async function POST(req: NextRequest): Promise<NextResponse> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > MAX_INTERACTION_BODY_BYTES) return tooLarge();
  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }
  const rawBody = await readBodyWithLimit(req, MAX_INTERACTION_BODY_BYTES);
  if (rawBody === null) return tooLarge();
  const result = handleDiscordInteraction(
    { publicKeyHex: ctx.env.DISCORD_PUBLIC_KEY, log: ctx.log },
    { signature: req.headers.get('x-signature-ed25519'), timestamp: req.headers.get('x-signature-timestamp'), rawBody },
  );
  return NextResponse.json(result.body, { status: result.status });
}
