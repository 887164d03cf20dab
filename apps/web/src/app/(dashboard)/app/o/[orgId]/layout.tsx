import type { ReactNode } from 'react';
import { getContext } from '../../../../../server/context';
import { requirePageMember } from '../../../../../server/page-guard';
import { DashboardNav } from '../../../../../components/dashboard-nav';

export const dynamic = 'force-dynamic';

/** The signed-in shell of one organization: navigation (projects, inbox, bridges, settings, team…) and the page. */
export default async function OrgLayout({ children, params }: { children: ReactNode; params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  const member = await requirePageMember(orgId);
  const [projects, orgs] = await Promise.all([
    getContext().db.project.findMany({ where: { organizationId: orgId }, orderBy: { createdAt: 'asc' }, select: { id: true, name: true } }),
    getContext().db.membership.findMany({ where: { userId: member.user.id }, include: { organization: { select: { id: true, name: true } } }, orderBy: { createdAt: 'asc' } }),
  ]);
  return (
    <div className="dash">
      <DashboardNav
        orgId={orgId}
        orgName={member.organization.name}
        role={member.role}
        userEmail={member.user.email}
        projects={projects}
        organizations={orgs.map((m) => m.organization)}
      />
      <main className="dash-main">{children}</main>
    </div>
  );
}
