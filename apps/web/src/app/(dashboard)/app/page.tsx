import { redirect } from 'next/navigation';
import { getContext } from '../../../server/context';
import { requirePageUser } from '../../../server/page-guard';

export const dynamic = 'force-dynamic';

/** /app: send the user where they left off — their first organization's first project, or onboarding. */
export default async function AppIndex() {
  const user = await requirePageUser();
  const membership = await getContext().db.membership.findFirst({
    where: { userId: user.id },
    orderBy: { createdAt: 'asc' },
    include: { organization: { include: { projects: { orderBy: { createdAt: 'asc' }, take: 1, select: { id: true } } } } },
  });
  if (!membership) redirect('/app/onboarding');
  const project = membership.organization.projects[0];
  if (!project) redirect(`/app/onboarding?org=${membership.organizationId}`);
  redirect(`/app/o/${membership.organizationId}/p/${project.id}/inbox`);
}
