import type { Metadata } from 'next';
import { AccountHeader } from '../account-header';
import { getNotificationPreferences, listMembershipsOfUser } from '@pocketping/db';
import { getContext } from '~/server/context';
import { requirePageUser } from '~/server/page-guard';
import { NOTIFICATION_KIND_LABELS } from '~/server/notifications/unsubscribe';
import { NotificationsForm } from './notifications-form';
import { BrowserAlertsControl } from '~/components/browser-alerts';

export const metadata: Metadata = { title: 'Notification settings' };
export const dynamic = 'force-dynamic';

/** The signed-in user's notification emails: one choice per kind (off, each one at once, or a digest). */
export default async function NotificationSettingsPage() {
  const user = await requirePageUser({ next: '/app/account/notifications' });
  const { db } = getContext();
  const [preferences, memberships] = await Promise.all([
    getNotificationPreferences(db, user.id),
    listMembershipsOfUser(db, user.id),
  ]);
  return (
    <main className="dash-main account-page">
      <AccountHeader title="Notification settings" current="/app/account/notifications" memberships={memberships} />
      <p className="muted">
        Emails go to <strong>{user.email}</strong>. Each project chooses after how many minutes a waiting visitor is
        announced (project settings).
      </p>
      <NotificationsForm
        initial={preferences}
        kinds={Object.entries(NOTIFICATION_KIND_LABELS).map(([kind, label]) => ({ kind, label }))}
      />
      <h2>In the dashboard</h2>
      <section className="card stack">
        <p className="muted">
          While an inbox page is open, a visitor&apos;s new message in a conversation you are not looking at shows a
          desktop notification and plays a sound. Your choice follows you on every device.
        </p>
        <BrowserAlertsControl />
      </section>
    </main>
  );
}
