import type { Metadata } from 'next';
import Link from 'next/link';
import { getNotificationUser } from '@pocketping/db';
import { getContext } from '~/server/context';
import { NOTIFICATION_KIND_LABELS, readUnsubscribeToken } from '~/server/notifications/unsubscribe';
import { param, type TSearchParams } from '../../_components/search-params';

export const metadata: Metadata = { title: 'Unsubscribe' };
export const dynamic = 'force-dynamic';

/**
 * The page an email's "Unsubscribe" link opens: it asks first (mail scanners open links; only the button's POST
 * turns anything off), works without logging in, and says what changed.
 */
export default async function UnsubscribePage({
  params,
  searchParams,
}: {
  params: Promise<{ token: string }>;
  searchParams: TSearchParams;
}) {
  const { token } = await params;
  const sp = await searchParams;
  const app = getContext();
  const claims = readUnsubscribeToken(app, token);
  const user = claims ? await getNotificationUser(app.db, claims.userId) : null;
  if (!claims || !user || param(sp, 'failed') === '1') {
    return (
      <>
        <h1>This link does not work</h1>
        <div className="card stack">
          <p>The unsubscribe link is not valid (it may have been cut by your mail app, or the account was deleted).</p>
          <p>
            <Link href="/app/account/notifications">Log in to change your notification settings</Link>
          </p>
        </div>
      </>
    );
  }
  const label = NOTIFICATION_KIND_LABELS[claims.kind];
  if (param(sp, 'done') === '1') {
    return (
      <>
        <h1>You are unsubscribed</h1>
        <div className="card stack" role="status">
          <p>
            {label} are off for <strong>{user.email}</strong>.
          </p>
          <p className="muted">
            Changed your mind? <Link href="/app/account/notifications">Notification settings</Link>
          </p>
        </div>
      </>
    );
  }
  return (
    <>
      <h1>Unsubscribe</h1>
      <form className="card stack" method="post" action={`/api/unsubscribe/${encodeURIComponent(token)}?via=page`}>
        <p>
          Stop <strong>{label.toLowerCase()}</strong> for <strong>{user.email}</strong>?
        </p>
        <p className="muted">Your teammates keep getting theirs. You can turn them back on in your settings.</p>
        <button type="submit" className="btn">
          Unsubscribe
        </button>
      </form>
    </>
  );
}
