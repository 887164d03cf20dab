import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import type { Metadata } from 'next';
import { getContext } from '~/server/context';
import { requirePageUser } from '~/server/page-guard';
import { roleAtLeast } from '~/server/tenancy';
import { dashboardOrigin } from '~/server/projects/origins';
import { onboardingStepFor, type TOnboardingStep } from '~/server/projects/onboarding-step';
import { snippetVariants } from '~/server/projects/snippets';
import { InstallationStatus } from '../o/[orgId]/p/[projectId]/install/_components/installation-status';
import { SnippetBlock } from '../o/[orgId]/p/[projectId]/install/_components/snippet-block';
import { CreateOrgForm } from './create-org-form';
import { CreateProjectForm } from './create-project-form';
import '../o/[orgId]/p/[projectId]/install/_components/install.css';
import './onboarding.css';
import { countProjects, getFirstProjectId, getProjectRecord, listMembershipsOfUser } from '@pocketping/db';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Get started' };

const STEPS: { n: TOnboardingStep; label: string }[] = [
  { n: 1, label: 'Organization' },
  { n: 2, label: 'Your site' },
  { n: 3, label: 'Install' },
  { n: 4, label: 'Chat app' },
  { n: 5, label: 'Test' },
];

type TSearch = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === 'string' && v.length <= 64 ? v : undefined);

/**
 * /app/onboarding[?org=&project=&step=] — create an organization → first project → snippet with live
 * "installation detected" → connect a chat app → send a test message. Re-entrant: without parameters it resumes
 * where the user's first organization stands; the URL carries the state from step 2 on.
 */
export default async function OnboardingPage({ searchParams }: { searchParams: Promise<TSearch> }) {
  const sp = await searchParams;
  const user = await requirePageUser({ next: '/app/onboarding' });
  const { db, env } = getContext();
  const memberships = await listMembershipsOfUser(db, user.id);

  let orgId = one(sp.org);
  const projectParam = one(sp.project);
  const requestedStep = Number(one(sp.step) ?? NaN);
  const wantsNewOrg = one(sp.new) === 'org';

  if (!orgId && !wantsNewOrg && memberships.length > 0) {
    // Resume: the first organization where the user may create projects, and its latest project.
    const m = memberships.find((x) => roleAtLeast(x.role, 'admin'));
    if (!m) redirect('/app');
    const latestId = await getFirstProjectId(db, m.organizationId, 'newest');
    redirect(
      latestId
        ? `/app/onboarding?org=${m.organizationId}&project=${latestId}`
        : `/app/onboarding?org=${m.organizationId}`,
    );
  }

  let step: TOnboardingStep = 1;
  let membership: (typeof memberships)[number] | undefined;
  let project: {
    id: string;
    name: string;
    publicKey: string;
    widgetFirstSeenAt: Date | null;
    widgetLastSeenAt: Date | null;
    allowedOrigins: string[];
  } | null = null;
  let bridgeCount = 0;
  let orgProjectCount = 0;

  if (orgId) {
    membership = memberships.find((m) => m.organizationId === orgId);
    if (!membership) notFound();
    if (!roleAtLeast(membership.role, 'admin')) redirect(`/app/o/${orgId}/forbidden?need=admin`);
    step = 2;
    orgProjectCount = await countProjects(db, orgId);
    if (projectParam) {
      project = await getProjectRecord(db, orgId, projectParam);
      if (!project) notFound();
      const r = await onboardingStepFor(db, orgId, project, Number.isFinite(requestedStep) ? requestedStep : undefined);
      step = r.step;
      bridgeCount = r.bridgeCount;
    }
  } else {
    orgId = undefined;
  }

  const base = orgId && project ? `/app/onboarding?org=${orgId}&project=${project.id}` : null;
  const stepHref = (n: TOnboardingStep) => (base && n >= 3 ? `${base}&step=${n}` : null);
  const projectBase = orgId && project ? `/app/o/${orgId}/p/${project.id}` : null;

  return (
    <main className="onboarding">
      <header>
        <Link className="brand" href="/app">
          PocketPing
        </Link>
        {projectBase ? (
          <Link href={`${projectBase}/inbox`} className="muted">
            Skip to the dashboard →
          </Link>
        ) : orgId && orgProjectCount > 0 ? (
          <Link href={`/app/o/${orgId}`} className="muted">
            Back to the dashboard
          </Link>
        ) : null}
      </header>
      <ol className="steps" aria-label="Progress">
        {STEPS.map((s) => {
          const cls = s.n < step ? 'done' : s.n === step ? 'current' : undefined;
          const href = stepHref(s.n);
          const label = (
            <>
              {s.n}
              <span>. {s.label}</span>
            </>
          );
          return (
            <li key={s.n} className={cls} aria-current={s.n === step ? 'step' : undefined}>
              {href && s.n !== step ? <Link href={href}>{label}</Link> : label}
            </li>
          );
        })}
      </ol>

      {step === 1 ? (
        <section className="stack">
          <div>
            <h1>Welcome to PocketPing</h1>
            <p className="muted">
              Let’s get live chat on your site in a few minutes. First, a name for your team’s workspace.
            </p>
          </div>
          <CreateOrgForm suggestion={user.name ? `${user.name}’s team` : ''} />
        </section>
      ) : null}

      {step === 2 && orgId ? (
        <section className="stack">
          <div>
            <h1>Add your site</h1>
            <p className="muted">
              Each site (project) in <strong>{membership?.organization.name}</strong> has its own widget, inbox and chat
              apps.
            </p>
          </div>
          <CreateProjectForm orgId={orgId} testOrigin={dashboardOrigin(env.WEB_PUBLIC_URL)} />
        </section>
      ) : null}

      {step === 3 && project && orgId ? (
        <section className="stack">
          <div>
            <h1>Install the widget</h1>
            <p className="muted">
              Paste this tag before <code className="code-inline">&lt;/body&gt;</code> on every page of {project.name}.
              Then open your site and click the chat bubble: this page turns green as soon as the widget connects.
            </p>
          </div>
          <div className="card stack">
            <SnippetBlock
              code={snippetVariants(env.REALTIME_PUBLIC_URL, project.publicKey).tag}
              label="Copy the snippet"
              testId="onboarding-snippet"
            />
            <InstallationStatus
              orgId={orgId}
              projectId={project.id}
              initial={{
                installed: project.widgetFirstSeenAt !== null,
                widgetFirstSeenAt: project.widgetFirstSeenAt?.toISOString() ?? null,
                widgetLastSeenAt: project.widgetLastSeenAt?.toISOString() ?? null,
              }}
            />
            <small className="muted">
              Allowed origins: {project.allowedOrigins.join(', ')}. Other variants (JavaScript API, identity
              verification) are on the project’s <Link href={`${projectBase}/install`}>Install</Link> page.
            </small>
          </div>
          <div className="row">
            <Link className="btn" href={`${base}&step=4`}>
              Next: connect a chat app
            </Link>
            <a className="btn secondary" href={`${projectBase}/install/try`} target="_blank" rel="noreferrer">
              No site handy? Use our test page ↗
            </a>
          </div>
        </section>
      ) : null}

      {step === 4 && project && orgId ? (
        <section className="stack">
          <div>
            <h1>Answer from your chat app</h1>
            <p className="muted">
              Connect Telegram, Slack or Discord: each visitor conversation becomes a thread there, and your replies go
              back to the widget. You can also answer from the inbox here.
            </p>
          </div>
          {bridgeCount > 0 ? (
            <div className="alert success">
              {bridgeCount} chat app{bridgeCount > 1 ? 's' : ''} connected ✓
            </div>
          ) : null}
          <div className="choice-grid">
            {[
              { kind: 'telegram', name: 'Telegram', text: 'A forum group: one topic per visitor.' },
              { kind: 'slack', name: 'Slack', text: 'A channel: one thread per visitor.' },
              { kind: 'discord', name: 'Discord', text: 'A channel: one thread per visitor.' },
            ].map((c) => (
              <Link key={c.kind} className="choice" href={`${projectBase}/bridges?connect=${c.kind}&from=onboarding`}>
                <strong>{c.name}</strong>
                <span className="muted">{c.text}</span>
              </Link>
            ))}
          </div>
          <div className="row">
            {/* Skipping is allowed, never the suggested path: only "Next" is the primary button. */}
            <Link className={bridgeCount > 0 ? 'btn' : 'btn secondary'} href={`${base}&step=5`}>
              {bridgeCount > 0 ? 'Next: send a test message' : 'Skip for now'}
            </Link>
            <Link className="btn secondary" href={`${base}&step=3`}>
              Back
            </Link>
          </div>
        </section>
      ) : null}

      {step === 5 && project && orgId ? (
        <section className="stack">
          <div>
            <h1>Send a test message</h1>
            <p className="muted">
              Open the test page, click the chat bubble and write something. It lands in your inbox
              {bridgeCount > 0 ? ' and in your chat app' : ''}; reply and watch it appear in the widget.
            </p>
          </div>
          <div className="card stack">
            <InstallationStatus
              orgId={orgId}
              projectId={project.id}
              initial={{
                installed: project.widgetFirstSeenAt !== null,
                widgetFirstSeenAt: project.widgetFirstSeenAt?.toISOString() ?? null,
                widgetLastSeenAt: project.widgetLastSeenAt?.toISOString() ?? null,
              }}
            />
            <div className="row">
              <a
                className="btn secondary"
                href={`${projectBase}/install/try`}
                target="_blank"
                rel="noreferrer"
                data-testid="open-test-page"
              >
                Open the test page ↗
              </a>
              <Link className="btn" href={`${projectBase}/inbox`}>
                Go to the inbox
              </Link>
            </div>
          </div>
          <div className="row">
            <Link className="btn secondary" href={`${base}&step=4`}>
              Back
            </Link>
          </div>
        </section>
      ) : null}
    </main>
  );
}
