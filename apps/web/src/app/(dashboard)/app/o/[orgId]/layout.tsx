import type { ReactNode } from 'react';
import { getContext } from '~/server/context';
import { requirePageMember } from '~/server/page-guard';
import { DashboardNav } from '~/components/dashboard-nav';
import { UsageBanner } from '~/components/usage-banner';
import { bannerOf, loadUsageView } from '~/server/billing/usage-view';
import { getOrganizationDeletion, getUserProfile, listMembershipsOfUser, listProjectNames } from '@pocketping/db';
import { avatarUrl } from '~/server/accounts/profile-view';
import Link from 'next/link';

export const dynamic = 'force-dynamic';

/** The signed-in shell of one organization: navigation (projects, inbox, bridges, settings, team…) and the page. */
export default async function OrgLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ orgId: string }>;
}) {
  const { orgId } = await params;
  const member = await requirePageMember(orgId);
  const [projects, orgs, usage, deletion, profile] = await Promise.all([
    listProjectNames(getContext().db, orgId),
    listMembershipsOfUser(getContext().db, member.user.id),
    // The banner never breaks the page: without usage figures there is just no banner.
    loadUsageView(getContext(), orgId).catch((err: unknown) => {
      getContext().log.warn({ tenantId: orgId, err }, 'usage banner unavailable');
      return null;
    }),
    getOrganizationDeletion(getContext().db, orgId),
    getUserProfile(getContext().db, member.user.id),
  ]);
  return (
    <div className="dash">
      <DashboardNav
        orgId={orgId}
        orgName={member.organization.name}
        role={member.role}
        userEmail={member.user.email}
        userName={profile?.name ?? null}
        avatarUrl={profile ? avatarUrl(profile.id, profile.avatar) : null}
        projects={projects}
        organizations={orgs.map((m) => ({ id: m.organization.id, name: m.organization.name }))}
      />
      <main className="dash-main">
        {deletion ? (
          <p className="alert error" data-testid="organization-deletion-banner">
            This organization will be deleted on {deletion.scheduledFor.slice(0, 10)}.{' '}
            {member.role === 'owner' ? <Link href={`/app/o/${orgId}/privacy`}>Cancel the deletion</Link> : null}
          </p>
        ) : null}
        <UsageBanner orgId={orgId} role={member.role} banner={usage ? bannerOf(usage) : null} />
        {children}
      </main>
    </div>
  );
}
