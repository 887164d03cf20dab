import { redirect } from 'next/navigation';
import { getContext } from '../../../server/context';
import { requirePageUser } from '../../../server/page-guard';
import { getFirstMembershipWithFirstProject } from '@pocketping/db';

export const dynamic = 'force-dynamic';

/** /app: send the user where they left off — their first organization's first project, or onboarding. */
export default async function AppIndex() {
  const user = await requirePageUser();
  const membership = await getFirstMembershipWithFirstProject(getContext().db, user.id);
  if (!membership) redirect('/app/onboarding');
  if (!membership.firstProjectId) redirect(`/app/onboarding?org=${membership.organizationId}`);
  redirect(`/app/o/${membership.organizationId}/p/${membership.firstProjectId}/inbox`);
}
