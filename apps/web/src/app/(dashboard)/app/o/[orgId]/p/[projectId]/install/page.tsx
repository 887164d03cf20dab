import Link from 'next/link';
import { getContext } from '~/server/context';
import { requirePageProject } from '~/server/page-guard';
import { roleAtLeast } from '~/server/tenancy';
import { snippetVariants } from '~/server/projects/snippets';
import { dashboardOrigin } from '~/server/projects/origins';
import { InstallationStatus } from './_components/installation-status';
import { SnippetTabs } from './_components/snippet-tabs';
import './_components/install.css';

export const dynamic = 'force-dynamic';

/** /install: the embed code of an existing project, its variants, and whether a widget has connected. */
export default async function InstallPage({ params }: { params: Promise<{ orgId: string; projectId: string }> }) {
  const { orgId, projectId } = await params;
  const { project, role } = await requirePageProject(orgId, projectId, 'agent');
  const { env } = getContext();
  const v = snippetVariants(env.REALTIME_PUBLIC_URL, project.publicKey);
  const isAdmin = roleAtLeast(role, 'admin');
  const testOrigin = dashboardOrigin(env.WEB_PUBLIC_URL);
  return (
    <div className="stack">
      <h1>Install the widget on {project.name}</h1>

      <section className="card stack">
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h2 style={{ margin: 0, fontSize: '1.1rem' }}>Installation</h2>
          <a
            className="btn secondary"
            href={`/app/o/${orgId}/p/${projectId}/install/try`}
            target="_blank"
            rel="noreferrer"
          >
            Open the test page ↗
          </a>
        </div>
        <InstallationStatus
          orgId={orgId}
          projectId={projectId}
          showDates
          intervalMs={5000}
          initial={{
            installed: project.widgetFirstSeenAt !== null,
            widgetFirstSeenAt: project.widgetFirstSeenAt?.toISOString() ?? null,
            widgetLastSeenAt: project.widgetLastSeenAt?.toISOString() ?? null,
          }}
        />
        <p className="muted" style={{ margin: 0 }}>
          A widget counts once it connects from an allowed origin. Last seen is refreshed at most once a minute.
        </p>
      </section>

      <section className="card stack">
        <h2 style={{ margin: 0, fontSize: '1.1rem' }}>Embed code</h2>
        <p style={{ margin: 0 }}>
          Paste it before the closing <code className="code-inline">&lt;/body&gt;</code> tag of every page where the
          chat should appear.
        </p>
        <SnippetTabs
          tabs={[
            {
              id: 'tag',
              label: 'Script tag',
              code: v.tag,
              note: 'The simplest form: settings come from data attributes.',
            },
            {
              id: 'language',
              label: 'Forced language',
              code: v.tagWithLanguage,
              note: 'data-language (en, fr, de, es) overrides the project setting and the visitor’s browser language.',
            },
            {
              id: 'js',
              label: 'JavaScript API',
              code: v.jsApi,
              note: 'For single-page apps and tag managers: calls made before the loader arrives are queued. Also open(), close(), toggle(), trigger(name, data), on(event, fn), destroy().',
            },
          ]}
        />
      </section>

      <section className="card stack">
        <h2 style={{ margin: 0, fontSize: '1.1rem' }}>Identify signed-in users (optional)</h2>
        <p style={{ margin: 0 }}>
          Call{' '}
          <code className="code-inline">
            PocketPing.identify({'{'} id, email, name, token {'}'})
          </code>{' '}
          with a <code className="code-inline">token</code> your server signs with the project’s identity secret (a JWT,
          HS256, with an expiry), so nobody can pose as one of your users: the email, name and traits in the token are
          shown as verified, anything else as the visitor’s own claim. The older{' '}
          <code className="code-inline">hash</code> (HMAC-SHA256 of the id) still works and verifies the id only.
          {isAdmin ? (
            <>
              {' '}
              The secret is generated in{' '}
              <Link href={`/app/o/${orgId}/p/${projectId}/settings#identity`}>Settings → Identity verification</Link>.
            </>
          ) : (
            ' An admin can generate the secret in the project settings.'
          )}
        </p>
        <SnippetTabs
          tabs={[
            { id: 'node', label: 'Node.js', code: v.identityHashNode },
            { id: 'python', label: 'Python', code: v.identityHashPython },
            { id: 'php', label: 'PHP', code: v.identityHashPhp },
          ]}
        />
      </section>

      <section className="card stack">
        <h2 style={{ margin: 0, fontSize: '1.1rem' }}>Allowed origins</h2>
        <p style={{ margin: 0 }}>The widget only connects from these sites:</p>
        <ul style={{ margin: 0 }}>
          {project.allowedOrigins.map((o) => (
            <li key={o}>
              <code className="code-inline">{o}</code>
              {o === testOrigin ? <span className="muted"> — PocketPing’s test page</span> : null}
            </li>
          ))}
        </ul>
        {isAdmin ? (
          <p style={{ margin: 0 }}>
            <Link href={`/app/o/${orgId}/p/${projectId}/settings#origins`}>Edit allowed origins</Link>
          </p>
        ) : null}
      </section>
    </div>
  );
}
