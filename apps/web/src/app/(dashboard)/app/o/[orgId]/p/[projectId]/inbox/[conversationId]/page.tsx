import type { ReactNode } from 'react';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AppError } from '@pocketping/core';
import { isWebUrl } from '@pocketping/protocol';
import { isVisitorConnected } from '@pocketping/jobs';
import { getLatestConversationForVisitor, listSavedReplies } from '@pocketping/db';
import { getContext } from '~/server/context';
import { requirePageProject } from '~/server/page-guard';
import {
  getAssignmentChoices,
  getConversationView,
  type TConversationView,
  type TInboxMessage,
} from '~/server/inbox/conversations';
import { attachmentPath, INLINE_IMAGE_TYPES } from '~/server/inbox/attachment-download';
import { Composer } from '../_components/composer';
import { InboxLive } from '../_components/inbox-live';
import { LocalTime } from '../_components/local-time';
import { MarkRead } from '../_components/mark-read';
import { RichText } from '../_components/rich-text';
import { ScrollToEnd } from '../_components/scroll-to-end';
import { StatusButton } from '../_components/status-button';
import { AiButton } from '../_components/ai-button';
import { AssigneePicker } from '../_components/assignee-picker';
import { TagsEditor } from '../_components/tags-editor';
import { VisitorRights } from '../_components/visitor-rights';
import { ContextSection, VisitorClock } from '../_components/visitor-context';
import { roleAtLeast } from '~/server/tenancy';
import { operatorName } from '~/server/inbox/actions';
import { formatSize } from '~/lib/format-size';
import '../_components/inbox.css';

export const dynamic = 'force-dynamic';

const SOURCE_LABELS: Record<string, string> = {
  telegram: 'Telegram',
  slack: 'Slack',
  discord: 'Discord',
  web: 'the dashboard',
  widget: 'the widget',
};

function who(m: TInboxMessage, visitorLabel: string): string {
  const via = SOURCE_LABELS[m.source] ? ` (via ${SOURCE_LABELS[m.source]})` : '';
  switch (m.sender) {
    case 'visitor':
      return visitorLabel;
    case 'operator':
      return `${m.authorName ?? 'Operator'}${via}`;
    case 'ai':
      return `🤖 ${m.authorName ?? 'AI assistant'}`;
    case 'system':
      return 'System';
  }
}

/**
 * The traces a close/reopen or an assignment leaves (from here or a chat app's command): shown as an event line, not
 * as a note ("Ana assigned this conversation to Bob").
 */
const STATUS_TRACES = new Set(['closed the conversation', 'reopened the conversation', 'unassigned this conversation']);
const isTrace = (body: string) => STATUS_TRACES.has(body) || body.startsWith('assigned this conversation to ');

type TFileScope = { organizationId: string; projectId: string; conversationId: string };

/** A file of a message: a download link through the tenancy-checked route; images also as a thumbnail. */
function FileLink({ a, scope }: { a: TInboxMessage['attachments'][number]; scope: TFileScope }) {
  const href = attachmentPath(scope, a.id);
  return (
    <li data-testid="attachment">
      {INLINE_IMAGE_TYPES.has(a.contentType) ? (
        <a href={href} target="_blank" rel="noopener noreferrer" className="thumb">
          {/* A plain img: the file is private and session-checked; next/image would fetch it server-side without the cookie. */}
          <img src={href} alt={a.name} loading="lazy" />
        </a>
      ) : null}
      📎{' '}
      <a href={`${href}?download=1`} download={a.name}>
        {a.name}
      </a>{' '}
      <span className="muted">({formatSize(a.size)})</span>
    </li>
  );
}

function Message({ m, visitorLabel, scope }: { m: TInboxMessage; visitorLabel: string; scope: TFileScope }) {
  const note = m.visibility === 'internal';
  if (note && m.sender === 'operator' && isTrace(m.body)) {
    return (
      <li
        className="msg system"
        data-seq={m.seq}
        data-sender={m.sender}
        data-visibility={m.visibility}
        data-testid="trace"
      >
        <span className="bubble">
          {who(m, visitorLabel)} {m.body} · <LocalTime iso={m.createdAt} />
        </span>
      </li>
    );
  }
  const classes = ['msg', m.sender, note && m.sender !== 'system' ? 'note' : '', m.deletedAt ? 'deleted' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <li className={classes} data-seq={m.seq} data-sender={m.sender} data-visibility={m.visibility}>
      <span className="who">
        {note ? (m.sender === 'system' ? 'Internal · ' : 'Internal note · ') : null}
        {who(m, visitorLabel)}
        {m.sender === 'ai' || m.source === 'ai' ? (
          <>
            {' '}
            <span className="badge" data-testid="ai-badge">
              AI
            </span>
          </>
        ) : null}{' '}
        · <LocalTime iso={m.createdAt} />
        {m.editedAt && !m.deletedAt ? ' · edited' : null}
      </span>
      <div className="bubble">
        {m.deletedAt ? 'Message deleted' : m.body ? <RichText text={m.body} /> : null}
        {m.attachments.length > 0 ? (
          <ul className="files">
            {m.attachments.map((a) => (
              <FileLink key={a.id} a={a} scope={scope} />
            ))}
          </ul>
        ) : null}
      </div>
    </li>
  );
}

function VisitorPanel({
  c,
  online,
  rights,
  base,
}: {
  c: TConversationView;
  online: boolean;
  rights: ReactNode;
  /** The inbox's path, for the past conversations' links. */
  base: string;
}) {
  const v = c.visitor;
  const device = [v.browser, v.os, v.mobile ? 'mobile' : null].filter(Boolean).join(' · ');
  const rows: [string, ReactNode][] = [];
  // Only what the customer signed is verified; anything else is the visitor's own claim and says so.
  const claim = (field: string, shown: ReactNode): ReactNode =>
    v.verifiedFields.includes(field) ? (
      <>
        {shown}{' '}
        <span className="badge ok" data-testid={`verified-${field}`}>
          verified
        </span>
      </>
    ) : (
      <>
        {shown}{' '}
        <span className="muted" data-testid={`unverified-${field}`}>
          unverified
        </span>
      </>
    );
  if (v.name) rows.push(['Name', claim('name', v.name)]);
  if (v.email)
    rows.push([
      'Email',
      claim(
        'email',
        <a key="e" href={`mailto:${v.email}`}>
          {v.email}
        </a>,
      ),
    ]);
  if (v.externalId) rows.push(['User id', v.externalId]);
  rows.push([
    'Status',
    <span
      key="o"
      data-testid="visitor-online"
      data-online={online ? 'true' : 'false'}
      className={online ? 'badge ok' : 'muted'}
    >
      {online ? 'online now' : 'offline'}
    </span>,
  ]);
  rows.push([
    'Identity',
    v.identityVerified ? (
      <span key="i" className="badge ok">
        user id verified
      </span>
    ) : (
      <span key="i" className="muted">
        not verified
      </span>
    ),
  ]);
  // The page URL is the visitor's claim: only an http(s) one becomes a link (never javascript: or data:).
  if (v.pageUrl)
    rows.push([
      'Page',
      isWebUrl(v.pageUrl) ? (
        <a key="p" href={v.pageUrl} target="_blank" rel="noreferrer noopener">
          {v.pageUrl}
        </a>
      ) : (
        <span key="p" data-testid="page-url-text">
          {v.pageUrl}
        </span>
      ),
    ]);
  if (v.referrer) rows.push(['Referrer', v.referrer]);
  if (device) rows.push(['Device', device]);
  if (v.location) rows.push(['Location', v.location]);
  rows.push(['First seen', <LocalTime key="f" iso={v.firstSeenAt} full />]);
  rows.push(['Last seen', <LocalTime key="l" iso={v.lastSeenAt} full />]);
  return (
    <aside className="card visitor-panel" aria-label="Visitor details">
      <h2>{v.label}</h2>
      <dl>
        {rows.map(([k, val]) => (
          <div key={k} style={{ display: 'contents' }}>
            <dt>{k}</dt>
            <dd>{val}</dd>
          </div>
        ))}
      </dl>
      <ContextSection>
        <dl>
          <dt>Local time</dt>
          <dd>{v.timeZone ? <VisitorClock timeZone={v.timeZone} /> : <span className="muted">unknown</span>}</dd>
        </dl>
        <h3>Pages visited</h3>
        {v.pages.length > 0 ? (
          <ol className="visitor-pages" data-testid="visitor-pages">
            {v.pages.map((p) => (
              <li key={`${p.seenAt}-${p.url}`}>
                {/* The URL is the visitor's claim: only http(s) becomes a link. */}
                {isWebUrl(p.url) ? (
                  <a href={p.url} target="_blank" rel="noreferrer noopener">
                    {p.url}
                  </a>
                ) : (
                  p.url
                )}{' '}
                <span className="muted">
                  · <LocalTime iso={p.seenAt} />
                </span>
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">None reported yet.</p>
        )}
        <h3>Past conversations</h3>
        {c.pastConversations.length > 0 ? (
          <ul className="past-conversations" data-testid="past-conversations">
            {c.pastConversations.map((p) => (
              <li key={p.id}>
                <Link href={`${base}/${p.id}`}>{p.firstLine ?? 'No message'}</Link>
                <br />
                <span className="muted">
                  <LocalTime iso={p.createdAt} /> ·{' '}
                </span>
                <span className={p.status === 'open' ? 'badge ok' : 'badge'}>{p.status}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">None.</p>
        )}
      </ContextSection>
      {c.preChat ? (
        <>
          <h3>Pre-chat answers</h3>
          <dl>
            {c.preChat.name ? (
              <>
                <dt>Name</dt>
                <dd>{c.preChat.name}</dd>
              </>
            ) : null}
            {c.preChat.email ? (
              <>
                <dt>Email</dt>
                <dd>{c.preChat.email}</dd>
              </>
            ) : null}
            {Object.entries(c.preChat.fields).map(([k, val]) => (
              <div key={k} style={{ display: 'contents' }}>
                <dt>{k}</dt>
                <dd>{val}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
      {Object.keys(v.traits).length > 0 ? (
        <>
          <h3>Traits</h3>
          <dl>
            {Object.entries(v.traits).map(([k, val]) => (
              <div key={k} style={{ display: 'contents' }}>
                <dt>{k}</dt>
                <dd>{claim(`traits.${k}`, val)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
      {c.csat ? (
        <>
          <h3>Rating</h3>
          <p style={{ margin: 0 }}>
            {'★'.repeat(c.csat.score)}
            {'☆'.repeat(5 - c.csat.score)} ({c.csat.score}/5){c.csat.comment ? ` — “${c.csat.comment}”` : ''}
          </p>
        </>
      ) : null}
      {rights}
    </aside>
  );
}

/** One conversation: the thread (visitor, team with its source, AI, system, internal notes), reply box, visitor details. */
export default async function ConversationPage({
  params,
}: {
  params: Promise<{ orgId: string; projectId: string; conversationId: string }>;
}) {
  const { orgId, projectId, conversationId } = await params;
  const { role, user } = await requirePageProject(orgId, projectId, 'agent');
  let c: TConversationView;
  let choices: Awaited<ReturnType<typeof getAssignmentChoices>>;
  try {
    [c, choices] = await Promise.all([
      getConversationView(getContext().db, orgId, projectId, conversationId),
      getAssignmentChoices(getContext().db, orgId, projectId),
    ]);
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') notFound();
    throw err;
  }
  const base = `/app/o/${orgId}/p/${projectId}/inbox`;
  const { producer, env } = getContext();
  // Best effort: the widget's connection tracking in Redis (refreshed whenever the page re-renders).
  const online = await isVisitorConnected(producer.redis, env.REDIS_PREFIX, c.visitor.id).catch(() => false);
  // A closed conversation points to the visitor's newer one: after a close, their next message starts a new one.
  const latest =
    c.status === 'closed' ? await getLatestConversationForVisitor(getContext().db, orgId, c.visitor.id) : null;
  const newer = latest && latest.id !== c.id && latest.projectId === projectId ? latest : null;
  const savedReplies = await listSavedReplies(getContext().db, orgId, projectId);
  return (
    <div className="conv">
      <div className="conv-main">
        <div className="conv-title">
          <div className="stack" style={{ gap: '0.2rem' }}>
            <Link href={base}>← Inbox</Link>
            <h1>
              {c.visitor.label}{' '}
              {c.status === 'closed' ? <span className="badge">closed</span> : <span className="badge ok">open</span>}
            </h1>
          </div>
          <div className="row">
            <InboxLive
              orgId={orgId}
              projectId={projectId}
              conversationId={c.id}
              visitorId={c.visitor.id}
              isClosed={c.status === 'closed'}
            />
            <AiButton orgId={orgId} projectId={projectId} conversationId={c.id} aiState={c.aiState} />
            <StatusButton orgId={orgId} projectId={projectId} conversationId={c.id} status={c.status} />
          </div>
        </div>
        <div className="conv-team" data-testid="conv-team">
          <AssigneePicker
            orgId={orgId}
            projectId={projectId}
            conversationId={c.id}
            assigneeId={c.assigneeId}
            members={choices.members}
            currentUserId={user.id}
          />
          <TagsEditor
            orgId={orgId}
            projectId={projectId}
            conversationId={c.id}
            tags={c.tags}
            suggestions={choices.tags}
          />
        </div>
        {newer ? (
          <p className="alert info" data-testid="wrote-again">
            The visitor wrote again after this conversation was closed:{' '}
            <Link href={`${base}/${newer.id}`}>open their newer conversation →</Link>
          </p>
        ) : null}
        {c.truncated ? <p className="alert info">Only the latest messages are shown.</p> : null}
        <ol id="thread" className="thread" aria-label="Messages" data-testid="thread">
          {c.messages.length === 0 ? (
            <li className="msg system">
              <span className="bubble">No messages yet.</span>
            </li>
          ) : null}
          {c.messages.map((m) => (
            <Message
              key={m.id}
              m={m}
              visitorLabel={c.visitor.label}
              scope={{ organizationId: orgId, projectId, conversationId: c.id }}
            />
          ))}
        </ol>
        <ScrollToEnd targetId="thread" marker={c.lastSeq} />
        <Composer
          orgId={orgId}
          projectId={projectId}
          conversationId={c.id}
          closed={c.status === 'closed'}
          savedReplies={savedReplies}
          visitorName={c.visitor.name}
          operatorName={operatorName(user)}
        />
        <MarkRead
          orgId={orgId}
          projectId={projectId}
          conversationId={c.id}
          lastSeq={c.lastSeq}
          readSeq={c.operatorLastReadSeq}
        />
      </div>
      <VisitorPanel
        c={c}
        base={base}
        online={online}
        rights={
          roleAtLeast(role, 'admin') ? (
            <VisitorRights orgId={orgId} projectId={projectId} visitorId={c.visitor.id} />
          ) : null
        }
      />
    </div>
  );
}
