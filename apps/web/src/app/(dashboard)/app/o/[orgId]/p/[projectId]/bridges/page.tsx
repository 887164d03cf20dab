import Link from 'next/link';
import { getContext } from '~/server/context';
import { requirePageProject } from '~/server/page-guard';
import { listProjectConnections } from '~/server/chat-apps/connections';
import { chatAppRoom } from '~/server/billing/chat-app-guard';
import { ConnectionCards } from './_components/connection-cards';
import { TelegramSetup } from './_components/telegram-setup';
import { SlackSetup } from './_components/slack-setup';
import { DiscordSetup } from './_components/discord-setup';
import './_components/bridges.css';

export const dynamic = 'force-dynamic';

/** /bridges: the project's chat apps (health, test message, disconnect) and the setup of a new one. Admin+. */
export default async function BridgesPage({
  params,
  searchParams,
}: {
  params: Promise<{ orgId: string; projectId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { orgId, projectId } = await params;
  const sp = await searchParams;
  const { project, role } = await requirePageProject(orgId, projectId, 'admin');
  const app = getContext();
  const [connections, room] = await Promise.all([
    listProjectConnections(app, orgId, project.id),
    chatAppRoom(app, orgId, project.id),
  ]);
  const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined);
  const slackSetupId = one(sp.slackSetup);
  const slackError = one(sp.slackError);
  const fromOnboarding = one(sp.from) === 'onboarding';
  const connectedKinds = new Set(connections.map((c) => c.kind));
  const apiBase = `/api/app/orgs/${orgId}/projects/${project.id}/bridges`;
  // Each chat app's setup steps: /bridges/setup/<kind>[/<step>] (declared in packages/bridges/src/<kind>/).
  const setupBase = `${apiBase}/setup`;
  return (
    <div className="stack">
      {fromOnboarding ? (
        <nav className="alert info row" aria-label="Onboarding" data-testid="back-to-onboarding">
          <Link href={`/app/onboarding?org=${orgId}&project=${project.id}&step=4`}>← Back to onboarding</Link>
          <span className="muted">
            {connections.length > 0 ? 'Connected: continue with the test message.' : 'Connect an app, then come back.'}
          </span>
        </nav>
      ) : null}
      <h1>Chat apps for {project.name}</h1>
      <p className="muted" style={{ margin: 0 }}>
        Visitor messages go to every connected app; answer from whichever is on your phone. Each conversation gets its
        own topic or thread.
      </p>

      <ConnectionCards apiBase={apiBase} initial={connections} />

      <h2 style={{ fontSize: '1.15rem', marginBottom: 0 }}>
        {connections.length > 0 ? 'Connect another chat app' : 'Connect a chat app'}
      </h2>
      {room.full ? (
        <div className="alert info" role="status" data-testid="chat-app-limit">
          <span>{room.message}</span>{' '}
          {role === 'owner' ? (
            <a className="btn" href={`/app/o/${orgId}/billing`} data-testid="upgrade">
              Upgrade
            </a>
          ) : (
            <span className="muted">Ask an owner to upgrade.</span>
          )}
        </div>
      ) : null}
      <div className="bridge-grid">
        <TelegramSetup apiBase={setupBase} connected={connectedKinds.has('telegram')} />
        <SlackSetup
          apiBase={setupBase}
          connected={connectedKinds.has('slack')}
          oauthAvailable={Boolean(app.env.SLACK_CLIENT_ID && app.env.SLACK_CLIENT_SECRET)}
          {...(slackSetupId ? { initialSetupId: slackSetupId } : {})}
          {...(slackError ? { initialError: slackError } : {})}
        />
        <DiscordSetup
          apiBase={setupBase}
          connected={connectedKinds.has('discord')}
          available={Boolean(
            app.env.DISCORD_BOT_TOKEN && app.env.DISCORD_APPLICATION_ID && app.env.DISCORD_CLIENT_SECRET,
          )}
        />
      </div>
    </div>
  );
}
