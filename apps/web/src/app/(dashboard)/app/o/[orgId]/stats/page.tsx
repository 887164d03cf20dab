import type { Metadata } from 'next';
import { listProjectNames } from '@pocketping/db';
import { getContext } from '~/server/context';
import { requirePageMember } from '~/server/page-guard';
import { StatsView } from '~/components/stats/stats-view';

export const metadata: Metadata = { title: 'Stats' };
export const dynamic = 'force-dynamic';

/** /stats (any member): the organization's figures, every project or one. */
export default async function OrgStatsPage({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  await requirePageMember(orgId);
  const projects = await listProjectNames(getContext().db, orgId);
  return (
    <>
      <h1>Stats</h1>
      <StatsView orgId={orgId} projects={projects} />
    </>
  );
}
