import type { ReactNode } from 'react';
import { getContext } from '~/server/context';
import { requirePageMember } from '~/server/page-guard';
import { DashboardNav } from '~/components/dashboard-nav';
import { UsageBanner } from '~/components/usage-banner';
import { bannerOf, loadUsageView } from '~/server/billing/usage-view';
import { listMembershipsOfUser, listProjectNames } from '@pocketping/db';

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
  const [projects, orgs, usage] = await Promise.all([
    listProjectNames(getContext().db, orgId),
    listMembershipsOfUser(getContext().db, member.user.id),
    // The banner never breaks the page: without usage figures there is just no banner.
    loadUsageView(getContext(), orgId).catch((err: unknown) => {
      getContext().log.warn({ tenantId: orgId, err }, 'usage banner unavailable');
      return null;
    }),
  ]);
  return (
    <div className="dash">
      <DashboardNav
        orgId={orgId}
        orgName={member.organization.name}
        role={member.role}
        userEmail={member.user.email}
        projects={projects}
        organizations={orgs.map((m) => ({ id: m.organization.id, name: m.organization.name }))}
      />
      <main className="dash-main">
        <UsageBanner orgId={orgId} role={member.role} banner={usage ? bannerOf(usage) : null} />
        {children}
      </main>
    </div>
  );
}
