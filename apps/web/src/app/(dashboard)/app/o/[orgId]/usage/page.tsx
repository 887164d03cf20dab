import type { Metadata } from 'next';
import { getContext } from '~/server/context';
import { requirePageMember } from '~/server/page-guard';
import { loadUsageView, type TUsageMeterView } from '~/server/billing/usage-view';
import { KeepProjectsForm } from './keep-projects-form';
import { KeepChatAppsForm } from './keep-chat-apps-form';
import { listConnectionCards } from '@pocketping/db';
import { connectionLabel } from '~/lib/connection-label';
import { formatDate } from '~/lib/format-date';

export const metadata: Metadata = { title: 'Usage' };
export const dynamic = 'force-dynamic';

const KIND_LABEL = { telegram: 'Telegram', slack: 'Slack', discord: 'Discord' } as const;
// Plan periods are counted in UTC: their dates are written in UTC.
const utcDate = (d: string | Date) => formatDate(d, 'date', { timeZone: 'UTC' });
const num = new Intl.NumberFormat('en');

function amount(m: TUsageMeterView, value: number): string {
  if (m.limit !== 'storageBytes') return num.format(value);
  const mb = value / (1024 * 1024);
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb.toFixed(mb < 10 ? 1 : 0)} MB`;
}

/** Usage: one meter per plan limit this month, with the date the monthly ones reset (any member may look). */
export default async function UsagePage({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  const me = await requirePageMember(orgId);
  const view = await loadUsageView(getContext(), orgId);
  const activeProjects = view.projects.filter((p) => !p.paused).length;
  const maxProjects = view.meters.find((m) => m.limit === 'projects')?.max ?? null;
  const paused = view.projects.some((p) => p.paused || p.pausedChatApps > 0);
  const maxChatApps = view.meters.find((m) => m.limit === 'chatAppsPerProject')?.max ?? null;
  // The projects whose chat apps need a choice: some paused by the plan, or more than the plan allows.
  const chatAppChoices =
    me.role === 'owner' && maxChatApps !== null
      ? await Promise.all(
          view.projects
            .filter((p) => p.pausedChatApps > 0 || p.chatApps > maxChatApps)
            .map(async (p) => ({
              project: p,
              chatApps: (await listConnectionCards(getContext().db, orgId, p.id))
                .filter((c) => c.status !== 'disabled')
                .map((c) => ({
                  id: c.id,
                  label: `${KIND_LABEL[c.kind]} — ${connectionLabel(c)}`,
                  active: !c.pausedAt,
                })),
            })),
        )
      : [];
  return (
    <>
      <h1>Usage</h1>
      <section className="card stack" data-testid="usage-plan">
        <p style={{ margin: 0 }}>
          Plan: <strong data-plan={view.plan}>{view.planName}</strong>
          {view.reason === 'trialing' && view.trialEndsAt ? ` — trial until ${utcDate(view.trialEndsAt)}` : null}
          {view.reason === 'past_due_grace' && view.graceEndsAt
            ? ` — payment failed, kept until ${utcDate(view.graceEndsAt)}`
            : null}
        </p>
        <p className="muted" style={{ margin: 0 }}>
          Monthly counts start again on {utcDate(view.period.resetsAt)} (UTC).
          {me.role === 'owner' ? (
            <>
              {' '}
              <a href={`/app/o/${orgId}/billing`}>Change plan</a>
            </>
          ) : null}
        </p>
      </section>
      <section className="card stack" aria-label="Meters">
        {view.meters.map((m) => (
          <div key={m.limit} className="stack" data-meter={m.limit} data-state={m.state} style={{ gap: 4 }}>
            <div className="row" style={{ justifyContent: 'space-between' }}>
              <span>{m.label}</span>
              <span data-testid={`meter-${m.limit}`}>
                {amount(m, m.used)} / {m.max === null ? 'unlimited' : amount(m, m.max)}
                {m.state !== 'ok' ? (
                  <span className={m.state === 'over' ? 'badge bad' : 'badge warn'} style={{ marginLeft: 8 }}>
                    {m.state === 'over' ? 'limit reached' : `${m.percent} %`}
                  </span>
                ) : null}
              </span>
            </div>
            {m.max !== null ? (
              <progress
                max={100}
                value={Math.min(100, m.percent ?? 0)}
                aria-label={m.label}
                style={{ width: '100%' }}
              />
            ) : null}
          </div>
        ))}
        <p className="muted" style={{ margin: 0 }}>
          API: {num.format(view.apiRequestsPerMinute)} requests per minute per key · History kept{' '}
          {view.retentionDays === null ? 'forever' : `${view.retentionDays} days`}
          {view.showBranding ? ' · The widget shows "Powered by PocketPing"' : ''}
        </p>
      </section>
      {paused || chatAppChoices.length > 0 || (maxProjects !== null && activeProjects > maxProjects) ? (
        <section className="card stack" aria-labelledby="keep-title" data-testid="paused">
          <h2 id="keep-title" style={{ margin: 0, fontSize: '1.1rem' }}>
            Paused by your plan
          </h2>
          <p className="muted" style={{ margin: 0 }}>
            Nothing was deleted. A paused project keeps its history but starts no new conversations in your chat apps; a
            paused chat app receives nothing. Upgrade, or choose what stays active.
          </p>
          <ul>
            {view.projects.map((p) => (
              <li key={p.id} data-project={p.id} data-paused={p.paused ? 'yes' : 'no'}>
                {p.name}
                {p.paused ? ' — paused' : ''}
                {p.pausedChatApps > 0 ? ` — ${p.pausedChatApps} chat app(s) paused` : ''}
              </li>
            ))}
          </ul>
          {me.role === 'owner' && maxProjects !== null ? (
            <KeepProjectsForm
              orgId={orgId}
              max={maxProjects}
              projects={view.projects.map((p) => ({ id: p.id, name: p.name, active: !p.paused }))}
            />
          ) : null}
          {maxChatApps !== null
            ? chatAppChoices.map(({ project, chatApps }) => (
                <KeepChatAppsForm
                  key={project.id}
                  orgId={orgId}
                  projectId={project.id}
                  projectName={project.name}
                  max={maxChatApps}
                  chatApps={chatApps}
                />
              ))
            : null}
        </section>
      ) : null}
    </>
  );
}
