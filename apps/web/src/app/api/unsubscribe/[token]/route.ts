// POST /api/unsubscribe/:token — one-click unsubscribe (RFC 8058: mail clients POST "List-Unsubscribe=One-Click"
// here, without cookies) and the unsubscribe page's button (?via=page: back to the page). The signed token is the
// only credential and grants one thing: turning that notification kind off for that user. Nothing is read from the
// body, so no size limit applies; GET does nothing (link scanners follow GETs).
import { NextResponse } from 'next/server';
import { getContext } from '~/server/context';
import { unsubscribeWithToken } from '~/server/notifications/unsubscribe';

export async function POST(req: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  const { token } = await params;
  const app = getContext();
  const ok = await unsubscribeWithToken(app, token);
  if (new URL(req.url).searchParams.get('via') === 'page') {
    const to = new URL(`/unsubscribe/${encodeURIComponent(token)}`, app.env.WEB_PUBLIC_URL);
    to.searchParams.set(ok ? 'done' : 'failed', '1');
    return NextResponse.redirect(to, 303);
  }
  if (!ok)
    return NextResponse.json(
      { error: { code: 'invalid_token', message: 'This unsubscribe link is not valid.' } },
      { status: 404 },
    );
  return NextResponse.json({ ok: true, unsubscribed: true });
}
