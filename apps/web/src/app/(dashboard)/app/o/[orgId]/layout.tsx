import type { ReactNode } from 'react';
import { getContext } from '../../../../../server/context';
import { requirePageMember } from '../../../../../server/page-guard';
import { DashboardNav } from '../../../../../components/dashboard-nav';
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
  const [projects, orgs] = await Promise.all([
    listProjectNames(getContext().db, orgId),
    listMembershipsOfUser(getContext().db, member.user.id),
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
      <main className="dash-main">{children}</main>
    </div>
  );
}
