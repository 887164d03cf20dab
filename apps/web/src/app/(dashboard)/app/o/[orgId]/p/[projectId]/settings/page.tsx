import { notFound } from 'next/navigation';
import { getContext } from '~/server/context';
import { requirePageProject } from '~/server/page-guard';
import { loadProjectDto } from '~/server/projects/project-dto';
import { dashboardOrigin } from '~/server/projects/origins';
import { SettingsClient } from './_components/settings-client';
import './_components/settings.css';
import '../install/_components/install.css';

export const dynamic = 'force-dynamic';

/** /settings (admin+): appearance with a live preview, origins, identity secret, pre-chat, CSAT, office hours, retention, delete. */
export default async function ProjectSettingsPage({
  params,
}: {
  params: Promise<{ orgId: string; projectId: string }>;
}) {
  const { orgId, projectId } = await params;
  const { role } = await requirePageProject(orgId, projectId, 'admin');
  const { db, env, limits } = getContext();
  const project = await loadProjectDto(db, orgId, projectId);
  if (!project) notFound();
  const { limits: plan } = await limits.entitlements(orgId);
  return (
    <div className="stack">
      <h1>Settings · {project.name}</h1>
      <SettingsClient
        orgId={orgId}
        project={project}
        isOwner={role === 'owner'}
        testOrigin={dashboardOrigin(env.WEB_PUBLIC_URL)}
        planRetentionDays={plan.retentionDays}
      />
    </div>
  );
}
