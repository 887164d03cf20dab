import type { Metadata } from 'next';
import { listKnowledgeSources } from '@pocketping/db';
import { getContext } from '~/server/context';
import { requirePageProject } from '~/server/page-guard';
import { roleAtLeast } from '~/server/tenancy';
import { KnowledgeManager } from './knowledge-client';

export const metadata: Metadata = { title: 'AI knowledge' };
export const dynamic = 'force-dynamic';

/** What the assistant answers from: pasted text, FAQ entries, files and the customer's own site. Admins edit. */
export default async function KnowledgePage({ params }: { params: Promise<{ orgId: string; projectId: string }> }) {
  const { orgId, projectId } = await params;
  const { project, role } = await requirePageProject(orgId, projectId);
  const sources = await listKnowledgeSources(getContext().db, orgId, projectId);
  return (
    <>
      <h1>Knowledge</h1>
      <p className="muted">
        The assistant answers {project.name}’s visitors only from what you add here, and cites where each answer comes
        from. Add your help pages (a start URL or a sitemap: pages of that site only, robots.txt honoured), FAQ entries,
        pasted text or files (.txt, .md, .html, or .pdf with a text layer).
      </p>
      <KnowledgeManager orgId={orgId} projectId={projectId} sources={sources} canEdit={roleAtLeast(role, 'admin')} />
    </>
  );
}
