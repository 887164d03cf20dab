import type { Metadata } from 'next';
import Link from 'next/link';
import { getUserProfile, listMembershipsOfUser } from '@pocketping/db';
import { redirect } from 'next/navigation';
import { getContext } from '~/server/context';
import { requirePageUser } from '~/server/page-guard';
import { profileView } from '~/server/accounts/profile-view';
import { ProfileClient } from './profile-client';

export const metadata: Metadata = { title: 'Your profile' };
export const dynamic = 'force-dynamic';

/** The signed-in user's own account: name and avatar, email (changed through a confirmation link), password. */
export default async function ProfilePage() {
  const user = await requirePageUser({ next: '/app/account' });
  const { db } = getContext();
  const [profile, memberships] = await Promise.all([getUserProfile(db, user.id), listMembershipsOfUser(db, user.id)]);
  if (!profile) redirect('/login?next=/app/account');
  const back = memberships[0] ? `/app/o/${memberships[0].organization.id}` : '/app';
  return (
    <main className="dash-main account-page">
      <p>
        <Link href={back}>← Back to the dashboard</Link>
      </p>
      <h1>Your profile</h1>
      <nav className="row account-tabs" aria-label="Account">
        <Link href="/app/account" aria-current="page">
          Profile
        </Link>
        <Link href="/app/account/notifications">Notification settings</Link>
      </nav>
      <ProfileClient initial={profileView(profile)} />
    </main>
  );
}
