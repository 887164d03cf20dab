import type { Metadata } from 'next';
import { requirePageProject } from '~/server/page-guard';
import { StatsView } from '~/components/stats/stats-view';

export const metadata: Metadata = { title: 'Stats' };
export const dynamic = 'force-dynamic';

/** /p/:project/stats (any member): the project's figures. */
export default async function ProjectStatsPage({ params }: { params: Promise<{ orgId: string; projectId: string }> }) {
  const { orgId, projectId } = await params;
  const { project } = await requirePageProject(orgId, projectId);
  return (
    <>
      <h1>Stats — {project.name}</h1>
      <StatsView orgId={orgId} projectId={projectId} />
    </>
  );
}
