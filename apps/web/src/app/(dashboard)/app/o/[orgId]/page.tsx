import { redirect } from 'next/navigation';
import { getContext } from '../../../../../server/context';
import { requirePageMember } from '../../../../../server/page-guard';

export const dynamic = 'force-dynamic';

export default async function OrgIndex({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  await requirePageMember(orgId);
  const project = await getContext().db.project.findFirst({ where: { organizationId: orgId }, orderBy: { createdAt: 'asc' }, select: { id: true } });
  redirect(project ? `/app/o/${orgId}/p/${project.id}/inbox` : `/app/onboarding?org=${orgId}`);
}
