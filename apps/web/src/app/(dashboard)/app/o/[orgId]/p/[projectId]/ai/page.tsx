import type { Metadata } from 'next';
import { requirePageProject } from '../../../../../../../../server/page-guard';

export const metadata: Metadata = { title: 'AI assistant' };
export const dynamic = 'force-dynamic';

/** Placeholder so the navigation has its place; the AI fallback settings come with their own issue. */
export default async function AiPage({ params }: { params: Promise<{ orgId: string; projectId: string }> }) {
  const { orgId, projectId } = await params;
  const { project } = await requirePageProject(orgId, projectId);
  return (
    <>
      <h1>AI assistant — coming soon</h1>
      <section className="card">
        <p>
          An AI assistant that answers {project.name}’s visitors when nobody on the team is around, and hands over to a
          person when needed.
        </p>
        <p className="muted">It is not available yet. Conversations keep reaching your inbox and chat apps as usual.</p>
      </section>
    </>
  );
}
