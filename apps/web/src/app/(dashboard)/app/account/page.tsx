import type { Metadata } from 'next';
import { AccountHeader } from './account-header';
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
  return (
    <main className="dash-main account-page">
      <AccountHeader title="Your profile" current="/app/account" memberships={memberships} />
      <ProfileClient initial={profileView(profile)} />
    </main>
  );
}
