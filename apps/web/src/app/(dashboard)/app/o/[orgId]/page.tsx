import { redirect } from 'next/navigation';
import { getContext } from '~/server/context';
import { requirePageMember } from '~/server/page-guard';
import { getFirstProjectId } from '@pocketping/db';

export const dynamic = 'force-dynamic';

export default async function OrgIndex({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  await requirePageMember(orgId);
  const projectId = await getFirstProjectId(getContext().db, orgId, 'oldest');
  redirect(projectId ? `/app/o/${orgId}/p/${projectId}/inbox` : `/app/onboarding?org=${orgId}`);
}
