import type { Metadata } from 'next';
import Link from 'next/link';
import { listApiKeys, listAuditActions, listAuditEntries, listOrganizationMembers } from '@pocketping/db';
import { getContext } from '~/server/context';
import { requirePageMember } from '~/server/page-guard';
import {
  AUDIT_PAGE_SIZE,
  encodeAuditCursor,
  toAuditQuery,
  ZAuditFilter,
  type TAuditFilter,
} from '~/server/privacy/audit-log';
import '../team/lists.css';

export const metadata: Metadata = { title: 'Audit log' };
export const dynamic = 'force-dynamic';

const dateFmt = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });

function details(metadata: unknown): string {
  if (!metadata || typeof metadata !== 'object' || Object.keys(metadata).length === 0) return '';
  return JSON.stringify(metadata).slice(0, 300);
}

/** Who did what, when, from where (owners and admins): filter by actor, action and dates; pages of 50; CSV export. */
export default async function AuditPage({
  params,
  searchParams,
}: {
  params: Promise<{ orgId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { orgId } = await params;
  await requirePageMember(orgId, 'admin');
  const raw = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const parsed = ZAuditFilter.safeParse({
    actor: one(raw.actor),
    action: one(raw.action),
    from: one(raw.from),
    to: one(raw.to),
    cursor: one(raw.cursor),
  });
  const filter: TAuditFilter = parsed.success ? parsed.data : {};
  const { db } = getContext();
  const [{ entries, next }, members, keys, actions] = await Promise.all([
    listAuditEntries(db, orgId, toAuditQuery(filter, AUDIT_PAGE_SIZE)),
    listOrganizationMembers(db, orgId),
    listApiKeys(db, orgId),
    listAuditActions(db, orgId),
  ]);
  const qs = (extra: Partial<TAuditFilter>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filter, cursor: undefined, ...extra })) if (v) q.set(k, v);
    return q.toString();
  };
  const base = `/app/o/${orgId}/audit`;
  return (
    <>
      <h1>Audit log</h1>
      <section className="card stack">
        <form className="row" action={base} method="get" aria-label="Filter the audit log" style={{ flexWrap: 'wrap' }}>
          <label className="stack" style={{ gap: '0.2rem' }}>
            <span>Who</span>
            <select name="actor" defaultValue={filter.actor ?? ''} data-testid="audit-actor">
              <option value="">Anyone</option>
              {members.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.email}
                </option>
              ))}
              {keys.map((k) => (
                <option key={k.id} value={k.id}>
                  API key {k.name} ({k.prefix}…)
                </option>
              ))}
            </select>
          </label>
          <label className="stack" style={{ gap: '0.2rem' }}>
            <span>Action</span>
            <select name="action" defaultValue={filter.action ?? ''} data-testid="audit-action">
              <option value="">Any action</option>
              {actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          <label className="stack" style={{ gap: '0.2rem' }}>
            <span>From (UTC)</span>
            <input type="date" name="from" defaultValue={filter.from ?? ''} data-testid="audit-from" />
          </label>
          <label className="stack" style={{ gap: '0.2rem' }}>
            <span>To (UTC, included)</span>
            <input type="date" name="to" defaultValue={filter.to ?? ''} data-testid="audit-to" />
          </label>
          <button className="btn secondary" type="submit" data-testid="audit-filter">
            Filter
          </button>
          <a className="btn secondary" href={`/api/app/orgs/${orgId}/audit?${qs({})}`} download data-testid="audit-csv">
            Export CSV
          </a>
        </form>
        {!parsed.success ? <p className="alert error">Some filters were not understood and are ignored.</p> : null}
        <p className="muted" style={{ margin: 0 }}>
          Entries are kept 365 days. Times are UTC; “from” is the client address the action came from, when known.
        </p>
      </section>
      <section className="card" aria-labelledby="audit-title">
        <h2 id="audit-title" style={{ marginTop: 0, fontSize: '1.1rem' }}>
          {entries.length === 0 ? 'Nothing recorded for these filters' : 'Entries, newest first'}
        </h2>
        {entries.length > 0 ? (
          <table className="stacked" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>What</th>
                <th>On</th>
                <th>From</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td data-label="When">
                    <time dateTime={e.createdAt}>{dateFmt.format(new Date(e.createdAt))}</time>
                  </td>
                  <td data-label="Who" className="email">
                    {e.actorLabel ?? (e.actorType === 'system' ? 'PocketPing' : (e.actorId ?? e.actorType))}
                  </td>
                  <td data-label="What">
                    <code>{e.action}</code>
                  </td>
                  <td data-label="On">{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : ''}</td>
                  <td data-label="From" title={e.userAgent ?? undefined}>
                    {e.ip ?? '—'}
                  </td>
                  <td data-label="Details" className="muted">
                    {details(e.metadata)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <div className="row" style={{ justifyContent: 'space-between', marginTop: '0.75rem' }}>
          {filter.cursor ? <Link href={`${base}?${qs({})}`}>← Newest</Link> : <span />}
          {next ? (
            <Link href={`${base}?${qs({ cursor: encodeAuditCursor(next) })}`} data-testid="audit-next">
              Older →
            </Link>
          ) : null}
        </div>
      </section>
    </>
  );
}
