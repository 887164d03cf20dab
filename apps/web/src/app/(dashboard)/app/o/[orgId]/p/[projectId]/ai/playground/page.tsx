import type { Metadata } from 'next';
import { requirePageProject } from '~/server/page-guard';
import { Playground } from './playground-client';

export const metadata: Metadata = { title: 'AI playground' };
export const dynamic = 'force-dynamic';

/** "Ask your assistant": the passages it would read and the answer it would give, with no conversation created. */
export default async function PlaygroundPage({ params }: { params: Promise<{ orgId: string; projectId: string }> }) {
  const { orgId, projectId } = await params;
  const { project } = await requirePageProject(orgId, projectId);
  return (
    <>
      <h1>Playground</h1>
      <p className="muted">
        Ask what a visitor of {project.name} would ask. You see the passages of your knowledge the assistant gets for
        the question, with their scores, and the answer it writes from them. Nothing is sent to a visitor or stored as a
        conversation.
      </p>
      <Playground orgId={orgId} projectId={projectId} />
    </>
  );
}
