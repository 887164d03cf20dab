// GET /api/integrations/:kind/:action — a chat app's browser install steps ("Add to Slack", OAuth redirects)
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '~/server/context';
import { findIntegrationAction } from '~/server/chat-apps/integration-actions';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(
  req: NextRequest,
  { params }: { params: Promise<{ kind: string; action: string[] }> },
): Promise<NextResponse> {
  const { kind, action } = await params;
  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }
  const handler = findIntegrationAction(kind, action);
  if (!handler) return NextResponse.json({ error: { code: 'not_found', message: 'Not found' } }, { status: 404 });
  return handler(ctx, req);
}
