import Link from 'next/link';
import { isVisitorConnected } from '@pocketping/jobs';
import { getContext } from '~/server/context';
import { requirePageProject } from '~/server/page-guard';
import {
  INBOX_ASSIGNEE_FILTERS,
  INBOX_TABS,
  ZInboxQuery,
  listInbox,
  type TInboxAssignee,
  type TInboxTab,
} from '~/server/inbox/conversations';
import { listProjectTags } from '@pocketping/db';
import { InboxLive } from './_components/inbox-live';
import { BrowserAlertsControl } from '~/components/browser-alerts';
import { LocalTime } from './_components/local-time';
import './_components/inbox.css';

export const dynamic = 'force-dynamic';

const TAB_LABELS: Record<TInboxTab, string> = { open: 'Open', unanswered: 'Unanswered', closed: 'Closed' };
const ASSIGNEE_LABELS: Record<TInboxAssignee, string> = { all: 'All', mine: 'Mine', unassigned: 'Unassigned' };

/** /inbox: the project's conversations by tab, searchable, newest activity first; live through the dashboard socket. */
export default async function InboxPage({
  params,
  searchParams,
}: {
  params: Promise<{ orgId: string; projectId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { orgId, projectId } = await params;
  const { project, user } = await requirePageProject(orgId, projectId, 'agent');
  const raw = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const parsed = ZInboxQuery.safeParse({
    tab: one(raw.tab),
    assignee: one(raw.assignee),
    tag: one(raw.tag),
    q: one(raw.q),
    cursor: one(raw.cursor),
  });
  const query = parsed.success ? parsed.data : ZInboxQuery.parse({});
  const { db, producer, env } = getContext();
  const [{ rows, nextCursor, counts }, projectTags] = await Promise.all([
    listInbox(db, orgId, projectId, query, user.id),
    listProjectTags(db, orgId, projectId),
  ]);
  // Who is on the site right now (the widget's connection tracking in Redis; best effort, kept live by InboxLive).
  const online = new Set<string>();
  await Promise.all(
    [...new Set(rows.map((r) => r.visitorId))].map(async (id) => {
      if (await isVisitorConnected(producer.redis, env.REDIS_PREFIX, id).catch(() => false)) online.add(id);
    }),
  );
  const base = `/app/o/${orgId}/p/${projectId}/inbox`;
  const href = (extra: Record<string, string | undefined>) => {
    const qs = new URLSearchParams();
    const current = { tab: query.tab, assignee: query.assignee === 'all' ? undefined : query.assignee, tag: query.tag };
    for (const [k, v] of Object.entries({ ...current, q: query.q, ...extra })) if (v) qs.set(k, v);
    const s = qs.toString();
    return s ? `${base}?${s}` : base;
  };

  return (
    <div>
      <div className="inbox-head">
        <h1>Inbox · {project.name}</h1>
        <div className="row">
          <BrowserAlertsControl compact />
          <InboxLive orgId={orgId} projectId={projectId} />
        </div>
      </div>
      {one(raw.erased) === '1' ? (
        <p className="alert info" data-testid="visitor-erased">
          The visitor and everything of theirs were erased; the bot&apos;s posts about them are being deleted in your
          chat apps.
        </p>
      ) : null}
      <nav className="inbox-tabs" aria-label="Conversations">
        {INBOX_TABS.map((t) => (
          <Link
            key={t}
            href={href({ tab: t, cursor: undefined })}
            className={t === query.tab ? 'active' : undefined}
            aria-current={t === query.tab ? 'page' : undefined}
          >
            {TAB_LABELS[t]}
          </Link>
        ))}
      </nav>
      <div className="inbox-filters">
        <nav className="inbox-tabs inbox-assignee" aria-label="Assigned to" data-testid="assignee-filter">
          {INBOX_ASSIGNEE_FILTERS.map((f) => (
            <Link
              key={f}
              href={href({ assignee: f === 'all' ? undefined : f, cursor: undefined })}
              className={f === query.assignee ? 'active' : undefined}
              aria-current={f === query.assignee ? 'page' : undefined}
              data-filter={f}
            >
              {ASSIGNEE_LABELS[f]} <span className="count">{counts[f]}</span>
            </Link>
          ))}
        </nav>
        {projectTags.length > 0 || query.tag ? (
          <form className="inbox-tag-filter" action={base} method="get">
            <input type="hidden" name="tab" value={query.tab} />
            {query.assignee !== 'all' ? <input type="hidden" name="assignee" value={query.assignee} /> : null}
            {query.q ? <input type="hidden" name="q" value={query.q} /> : null}
            <label htmlFor="inbox-tag">Tag</label>
            <select id="inbox-tag" name="tag" defaultValue={query.tag ?? ''} data-testid="tag-filter">
              <option value="">Any</option>
              {(query.tag && !projectTags.includes(query.tag) ? [query.tag, ...projectTags] : projectTags).map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <button className="btn secondary" type="submit">
              Filter
            </button>
          </form>
        ) : null}
      </div>
      <form className="inbox-search" action={base} method="get" role="search">
        <input type="hidden" name="tab" value={query.tab} />
        {query.assignee !== 'all' ? <input type="hidden" name="assignee" value={query.assignee} /> : null}
        {query.tag ? <input type="hidden" name="tag" value={query.tag} /> : null}
        <label className="sr-only" htmlFor="inbox-q">
          Search
        </label>
        <input
          id="inbox-q"
          type="search"
          name="q"
          defaultValue={query.q ?? ''}
          placeholder="Search by visitor email, name or message text"
          maxLength={100}
        />
        <button className="btn secondary" type="submit">
          Search
        </button>
      </form>
      {!parsed.success ? (
        <p className="alert error">That page link is no longer valid; showing the first page.</p>
      ) : null}

      {rows.length === 0 ? (
        <div className="inbox-list inbox-empty">
          {query.q
            ? `No conversation matches “${query.q}”.`
            : query.tag || query.assignee !== 'all'
              ? 'No conversation matches these filters.'
              : query.tab === 'open'
                ? 'No open conversations. When a visitor writes in the widget, the conversation appears here.'
                : query.tab === 'unanswered'
                  ? 'Nobody is waiting for an answer.'
                  : 'No closed conversations yet.'}
        </div>
      ) : (
        <ul className="inbox-list" data-testid="inbox-list">
          {rows.map((r) => (
            <li key={r.id}>
              <Link
                href={`${base}/${r.id}`}
                className={`inbox-row${r.unread > 0 ? ' unread' : ''}`}
                data-conversation-id={r.id}
              >
                <span className="inbox-who">
                  {online.has(r.visitorId) ? (
                    <span className="online-dot" title="Online now" aria-label="online" data-testid="online-dot" />
                  ) : null}
                  {r.visitorLabel}
                  {r.visitorEmail && r.visitorEmail !== r.visitorLabel ? (
                    <span className="muted"> · {r.visitorEmail}</span>
                  ) : null}
                </span>
                <span className="inbox-meta">
                  {r.status === 'open' && r.lastPublicSender === 'visitor' ? (
                    <span className="badge warn">waiting</span>
                  ) : null}
                  {r.status === 'closed' ? <span className="badge">closed</span> : null}
                  {r.unread > 0 ? (
                    <span className="badge unread" aria-label={`${r.unread} unread`}>
                      {r.unread >= 99 ? '99+' : r.unread}
                    </span>
                  ) : null}
                  <LocalTime iso={r.at} />
                </span>
                {r.assignee || r.tags.length > 0 ? (
                  <span className="inbox-labels">
                    {r.assignee ? (
                      <span className="assignee" data-testid="row-assignee">
                        → {r.assignee.id === user.id ? 'You' : r.assignee.label}
                      </span>
                    ) : null}
                    {r.tags.map((t) => (
                      <span key={t} className="tag" data-testid="row-tag">
                        {t}
                      </span>
                    ))}
                  </span>
                ) : null}
                <span className={`inbox-preview${r.previewInternal ? ' note' : ''}`}>
                  {r.preview === null
                    ? 'No messages yet'
                    : `${r.previewInternal ? 'Note: ' : r.previewSender === 'operator' ? 'You: ' : r.previewSender === 'ai' ? 'AI: ' : ''}${r.preview || '(attachment)'}`}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <div className="inbox-pager">
        {query.cursor ? <Link href={href({ cursor: undefined })}>← Newest</Link> : <span />}
        {nextCursor ? <Link href={href({ cursor: nextCursor })}>Older →</Link> : null}
      </div>
    </div>
  );
}
