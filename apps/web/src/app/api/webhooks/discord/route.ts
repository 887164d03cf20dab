// POST /api/webhooks/discord — Discord's interactions endpoint (Ed25519-signed; PING → PONG)
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '../../../../server/context';
import { readRawBody } from '../../../../server/read-raw-body';
import { handleDiscordInteraction, MAX_INTERACTION_BODY_BYTES } from '../../../../server/webhooks/discord';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function POST(req: NextRequest): Promise<NextResponse> {
  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }
  // Counted while it streams in (a chunked body has no Content-Length to check): past the limit, 413 at once.
  const read = await readRawBody(req, MAX_INTERACTION_BODY_BYTES);
  if (!read.ok) return read.response;
  const rawBody = read.body.toString('utf8');
  const result = handleDiscordInteraction(
    { publicKeyHex: ctx.env.DISCORD_PUBLIC_KEY, log: ctx.log },
    { signature: req.headers.get('x-signature-ed25519'), timestamp: req.headers.get('x-signature-timestamp'), rawBody },
  );
  return NextResponse.json(result.body, { status: result.status });
}
