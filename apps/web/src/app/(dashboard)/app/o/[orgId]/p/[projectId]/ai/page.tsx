import type { Metadata } from 'next';
import { requirePageProject } from '~/server/page-guard';
import { roleAtLeast } from '~/server/tenancy';
import { getContext } from '~/server/context';
import { loadAiPageData } from '~/server/ai/ai-settings';
import { AiSettingsClient } from './_components/ai-settings-client';

export const metadata: Metadata = { title: 'AI assistant' };
export const dynamic = 'force-dynamic';

/** The AI assistant: settings (owners and admins edit, agents read), the organization's own key, this month's usage. */
export default async function AiPage({ params }: { params: Promise<{ orgId: string; projectId: string }> }) {
  const { orgId, projectId } = await params;
  const { project, role } = await requirePageProject(orgId, projectId);
  const data = await loadAiPageData(getContext(), orgId, projectId);
  return (
    <>
      <h1>AI assistant</h1>
      <p className="muted">
        When nobody on the team answers {project.name}’s visitors within the delay, the assistant answers from your
        knowledge, cites its sources and hands over to a person when it should. Any reply from the team — inbox,
        Telegram, Slack or Discord — stops it for that conversation until you hand it back.
      </p>
      <AiSettingsClient orgId={orgId} projectId={projectId} initial={data} canEdit={roleAtLeast(role, 'admin')} />
    </>
  );
}
