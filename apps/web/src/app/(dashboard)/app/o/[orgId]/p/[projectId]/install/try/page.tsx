import Link from 'next/link';
import { getContext } from '~/server/context';
import { requirePageProject } from '~/server/page-guard';
import { roleAtLeast } from '~/server/tenancy';
import { dashboardOrigin } from '~/server/projects/origins';
import { widgetEmbed } from '~/lib/widget-snippet';
import { AllowTestPageButton } from './allow-test-page-button';

export const dynamic = 'force-dynamic';

/**
 * /install/try: a page of the dashboard that loads this project's widget exactly like the customer's site would,
 * for onboarding's "send a test message". It needs the dashboard's own origin in the allowed origins (onboarding
 * adds it by default; an admin can add it here).
 */
export default async function TryWidgetPage({ params }: { params: Promise<{ orgId: string; projectId: string }> }) {
  const { orgId, projectId } = await params;
  const { project, role } = await requirePageProject(orgId, projectId, 'agent');
  const { env } = getContext();
  const origin = dashboardOrigin(env.WEB_PUBLIC_URL);
  const isAllowed = project.allowedOrigins.some((o) => o === origin || o === '*');
  const embed = widgetEmbed(env.REALTIME_PUBLIC_URL, project.publicKey);
  return (
    <div className="stack">
      <h1>Try the chat of {project.name}</h1>
      {isAllowed ? (
        <div className="card stack">
          <p style={{ margin: 0 }}>
            This page loads your widget exactly as your site will. Open the chat bubble in the corner and send a
            message: it shows up in the <Link href={`/app/o/${orgId}/p/${projectId}/inbox`}>inbox</Link> and in every
            connected chat app, and your replies come back here live.
          </p>
          <div className="row">
            <Link className="btn" href={`/app/o/${orgId}/p/${projectId}/inbox`}>
              Go to the inbox
            </Link>
          </div>
        </div>
      ) : (
        <div className="card stack">
          <div className="alert info">
            The widget only connects from allowed origins, and this dashboard (<code>{origin}</code>) is not one of them
            for this project.
          </div>
          {roleAtLeast(role, 'admin') ? (
            <AllowTestPageButton
              orgId={orgId}
              projectId={projectId}
              origins={project.allowedOrigins}
              testOrigin={origin}
            />
          ) : (
            <p className="muted">Ask an admin to add it in the project settings, or try the widget on your own site.</p>
          )}
        </div>
      )}
      {/* A plain, server-rendered tag, so the loader finds its settings on document.currentScript like on any site. */}
      {isAllowed ? (
        <script async src={embed.loaderUrl} data-project-key={embed.projectKey} data-realtime-url={embed.realtimeUrl} />
      ) : null}
    </div>
  );
}
