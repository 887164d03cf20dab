import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getProjectByPublicKey } from '@pocketping/db';
import { getContext } from '~/server/context';
import { isProjectKey, widgetEmbed, widgetSnippet } from '~/lib/widget-snippet';
import { demoProjectKey } from '~/server/demo-access';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: { absolute: 'PocketPing demo' } };

type TLookup = { state: 'found'; allowedOrigins: string[] } | { state: 'missing' } | { state: 'unknown' };

/** Best effort: a database hiccup must not hide the demo, the widget then reports its own errors. */
async function lookUpProject(projectKey: string): Promise<TLookup> {
  const ctx = getContext();
  try {
    const project = await getProjectByPublicKey(ctx.db, projectKey);
    return project ? { state: 'found', allowedOrigins: project.allowedOrigins } : { state: 'missing' };
  } catch (err) {
    ctx.log.warn({ err }, 'demo: project lookup failed');
    return { state: 'unknown' };
  }
}

/**
 * Only a hint for the page (the realtime service enforces the allowlist): exact origins and "*" are checked,
 * wildcard entries are given the benefit of the doubt. An empty list admits nobody.
 */
function mayAllowOrigin(allowed: readonly string[], origin: string): boolean {
  return allowed.some((entry) => {
    const e = entry.trim().toLowerCase().replace(/\/$/, '');
    return e === '*' || e === origin || e.includes('*.');
  });
}

export default async function DemoPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { key } = await searchParams;
  const env = getContext().env;
  const access = demoProjectKey(env, key === undefined ? undefined : isProjectKey(key) ? key : '');
  if (access.key === null && access.reason === 'not_found') notFound();
  const projectKey = access.key;

  if (!projectKey) {
    return (
      <main className="container">
        <h1>PocketPing demo</h1>
        <div className="notice">
          <p>There is no demo project yet.</p>
          <p>
            Run <code>npm start</code> at the root of the repository: it bootstraps a demo project and sets{' '}
            <code>DEMO_PROJECT_KEY</code>. In development you can also open this page with <code>/demo?key=pk_…</code>{' '}
            and the public key of any project.
          </p>
        </div>
      </main>
    );
  }

  const lookup = await lookUpProject(projectKey);
  if (lookup.state === 'missing') {
    return (
      <main className="container">
        <h1>PocketPing demo</h1>
        <div className="notice">
          <p>
            No project has the key <code>{projectKey}</code>. Run <code>npm start</code> to bootstrap the demo project
            again (in development, <code>/demo?key=pk_…</code> takes the key of an existing project).
          </p>
        </div>
      </main>
    );
  }

  const embed = widgetEmbed(env.REALTIME_PUBLIC_URL, projectKey);
  const webOrigin = new URL(env.WEB_PUBLIC_URL).origin;
  const isOriginAllowed = lookup.state !== 'found' || mayAllowOrigin(lookup.allowedOrigins, webOrigin);

  return (
    <main className="container">
      <h1>PocketPing demo</h1>
      <p className="lead">
        This page embeds the chat widget exactly as a customer&apos;s site would. Open the bubble in the corner and send
        a message: it arrives in the project&apos;s connected Telegram group, and replies from there come back here
        live.
      </p>
      {!isOriginAllowed && (
        <div className="notice">
          <p>
            This project&apos;s allowed origins (
            {lookup.state === 'found' && lookup.allowedOrigins.length > 0 ? lookup.allowedOrigins.join(', ') : 'none'})
            do not include <code>{webOrigin}</code>: add it for the widget on this page to connect.
          </p>
        </div>
      )}
      <h2>The snippet</h2>
      <p>Paste this before the closing &lt;/body&gt; tag of any page:</p>
      <pre className="snippet">{widgetSnippet(embed)}</pre>
      {/* A plain, server-rendered tag, so the loader finds its settings on document.currentScript like on any site. */}
      <script async src={embed.loaderUrl} data-project-key={embed.projectKey} data-realtime-url={embed.realtimeUrl} />
    </main>
  );
}
