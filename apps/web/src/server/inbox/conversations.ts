import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { TAG_MAX_LENGTH, normalizeTag } from '@pocketping/protocol';
import {
  countInboxAssignments,
  getConversationWithVisitor,
  listLatestMessagesWithAttachments,
  listOrganizationMembers,
  listProjectTags,
  queryInboxPage,
  type TDb,
  listPastConversations,
  listVisitorPageViews,
} from '@pocketping/db';
import { describeUserAgent } from './user-agent';

/**
 * Inbox reads, always scoped by organization AND project (the caller passed the tenancy wrapper for the
 * organization; the project must be one of its own, which every query re-states).
 */

export const INBOX_TABS = ['open', 'unanswered', 'closed'] as const;
export type TInboxTab = (typeof INBOX_TABS)[number];

/** A tag in the inbox's query: normalized like a stored one, or refused. */
const ZTag = z
  .string()
  .max(200)
  .transform((v, ctx) => {
    const tag = normalizeTag(v);
    if (tag === null) {
      ctx.addIssue({ code: 'custom', message: `A tag is 1 to ${TAG_MAX_LENGTH} characters.` });
      return z.NEVER;
    }
    return tag;
  });

export const INBOX_ASSIGNEE_FILTERS = ['all', 'mine', 'unassigned'] as const;
export type TInboxAssignee = (typeof INBOX_ASSIGNEE_FILTERS)[number];

export const ZInboxQuery = z.object({
  tab: z.enum(INBOX_TABS).default('open'),
  assignee: z.enum(INBOX_ASSIGNEE_FILTERS).default('all'),
  tag: ZTag.optional(),
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .transform((v) => (v ? v : undefined)),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export type TInboxQuery = z.input<typeof ZInboxQuery>;

export interface TInboxRow {
  id: string;
  status: 'open' | 'closed';
  visitorId: string;
  visitorLabel: string;
  visitorEmail: string | null;
  lastSeq: number;
  operatorLastReadSeq: number;
  /** Messages not from the team after the operators' read watermark (capped at 99). */
  unread: number;
  /** Whose public message is last: 'visitor' means the conversation waits for an answer. */
  lastPublicSender: string | null;
  preview: string | null;
  previewSender: string | null;
  previewInternal: boolean;
  at: string;
  assignee: { id: string; label: string } | null;
  tags: string[];
}

const ZCursor = z.object({
  t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/),
  id: z.string().min(1).max(64),
});

function encodeCursor(t: string, id: string): string {
  return Buffer.from(JSON.stringify({ t, id })).toString('base64url');
}

function decodeCursor(cursor: string): z.infer<typeof ZCursor> {
  try {
    return ZCursor.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('bad_request', 'Invalid cursor.');
  }
}

/** A LIKE pattern matching `text` literally anywhere (\, % and _ escaped). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** "Visitor #1a2b" — a stable short handle for an anonymous visitor. */
export function visitorHandle(visitorId: string): string {
  return `Visitor #${visitorId.slice(-4)}`;
}

/** A member as the inbox shows them: their name, else their email. */
export function memberLabel(m: { name: string | null; email: string }): string {
  return m.name?.trim() || m.email;
}

/** `userId` is the signed-in member: "Mine" means assigned to them. */
export async function listInbox(
  db: TDb,
  organizationId: string,
  projectId: string,
  input: TInboxQuery,
  userId: string,
): Promise<{
  rows: TInboxRow[];
  nextCursor: string | null;
  counts: { all: number; mine: number; unassigned: number };
}> {
  const query = ZInboxQuery.parse(input);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const pattern = query.q ? containsPattern(query.q) : null;
  const tag = query.tag ?? null;
  const [raw, counts] = await Promise.all([
    queryInboxPage(db, organizationId, projectId, {
      tab: query.tab,
      pattern,
      assignee:
        query.assignee === 'mine'
          ? { kind: 'mine', userId }
          : query.assignee === 'unassigned'
            ? { kind: 'unassigned' }
            : { kind: 'all' },
      tag,
      after: cursor,
      limit: query.limit,
    }),
    countInboxAssignments(db, organizationId, projectId, { tab: query.tab, pattern, tag, userId }),
  ]);
  const page = raw.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    rows: page.map((r) => ({
      id: r.id,
      status: r.status,
      visitorId: r.visitorId,
      visitorLabel: r.visitorName?.trim() || r.visitorEmail || visitorHandle(r.visitorId),
      visitorEmail: r.visitorEmail,
      lastSeq: Number(r.lastSeq),
      operatorLastReadSeq: Number(r.operatorLastReadSeq),
      unread: Number(r.unread),
      lastPublicSender: r.lastPublicSender,
      preview: r.lastDeleted ? 'Message deleted' : r.lastBody === null ? null : r.lastBody.slice(0, 140),
      previewSender: r.lastSender,
      previewInternal: r.lastVisibility === 'internal',
      at: `${r.at}Z`,
      assignee:
        r.assigneeId && r.assigneeEmail
          ? { id: r.assigneeId, label: memberLabel({ name: r.assigneeName, email: r.assigneeEmail }) }
          : null,
      tags: r.tags ?? [],
    })),
    nextCursor: raw.length > query.limit && last ? encodeCursor(last.at, last.id) : null,
    counts,
  };
}

export interface TInboxMessage {
  id: string;
  seq: number;
  sender: 'visitor' | 'operator' | 'ai' | 'system';
  visibility: 'public' | 'internal';
  authorName: string | null;
  body: string;
  source: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  attachments: { id: string; name: string; contentType: string; size: number }[];
}

export interface TConversationView {
  id: string;
  projectId: string;
  status: 'open' | 'closed';
  lastSeq: number;
  operatorLastReadSeq: number;
  visitorLastReadSeq: number;
  createdAt: string;
  closedAt: string | null;
  aiState: string;
  assigneeId: string | null;
  tags: string[];
  csat: { score: number; comment: string | null; at: string | null } | null;
  preChat: { name: string | null; email: string | null; fields: Record<string, string> } | null;
  visitor: {
    id: string;
    label: string;
    name: string | null;
    email: string | null;
    externalId: string | null;
    /** The user id came with a valid signature. */
    identityVerified: boolean;
    /** Shown fields the customer signed ('email', 'name', 'traits.<key>'); every other one is the visitor's claim. */
    verifiedFields: string[];
    firstSeenAt: string;
    lastSeenAt: string;
    pageUrl: string | null;
    referrer: string | null;
    origin: string | null;
    location: string | null;
    browser: string | null;
    os: string | null;
    mobile: boolean;
    /** The browser's IANA zone at its last connection (checked when reported), for the visitor's local time. */
    timeZone: string | null;
    /** Pages the widget saw, newest first (the newest VISITOR_PAGE_VIEWS_KEPT). */
    pages: { url: string; seenAt: string }[];
    traits: Record<string, string>;
  };
  /** The visitor's other conversations in this project, newest first. */
  pastConversations: { id: string; status: 'open' | 'closed'; createdAt: string; firstLine: string | null }[];
  messages: TInboxMessage[];
  /** Older messages were left out (the view shows the latest MAX_MESSAGES). */
  truncated: boolean;
}

export const MAX_MESSAGES = 500;

const str = (v: unknown, max = 500): string | null =>
  typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null;

function stringRecord(v: unknown, maxEntries = 30): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [k, value] of Object.entries(v as Record<string, unknown>).slice(0, maxEntries)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[k.slice(0, 64)] = String(value).slice(0, 500);
  }
  return out;
}

/** One conversation of the project with its visitor and messages (internal notes included), or not_found. */
export async function getConversationView(
  db: TDb,
  organizationId: string,
  projectId: string,
  conversationId: string,
): Promise<TConversationView> {
  const c = await getConversationWithVisitor(db, { organizationId, projectId }, conversationId);
  if (!c) throw new AppError('not_found', 'Conversation not found.');
  const [rows, pageViews, past] = await Promise.all([
    listLatestMessagesWithAttachments(db, organizationId, c.id, MAX_MESSAGES + 1),
    listVisitorPageViews(db, organizationId, c.visitorId),
    listPastConversations(db, { organizationId, projectId }, c.visitorId, c.id),
  ]);
  const meta = (
    typeof c.visitor.metadata === 'object' && c.visitor.metadata !== null ? c.visitor.metadata : {}
  ) as Record<string, unknown>;
  const ua = describeUserAgent(str(meta.userAgent));
  const preChatRaw = (c.preChat ?? null) as { name?: unknown; email?: unknown; fields?: unknown } | null;
  return {
    id: c.id,
    projectId: c.projectId,
    status: c.status,
    lastSeq: c.nextSeq - 1,
    operatorLastReadSeq: c.operatorLastReadSeq,
    visitorLastReadSeq: c.visitorLastReadSeq,
    createdAt: c.createdAt.toISOString(),
    closedAt: c.closedAt?.toISOString() ?? null,
    aiState: c.aiState,
    assigneeId: c.assigneeId,
    tags: c.tags,
    csat:
      c.csatScore === null ? null : { score: c.csatScore, comment: c.csatComment, at: c.csatAt?.toISOString() ?? null },
    preChat: preChatRaw
      ? { name: str(preChatRaw.name), email: str(preChatRaw.email), fields: stringRecord(preChatRaw.fields) }
      : null,
    visitor: {
      id: c.visitor.id,
      label: c.visitor.name?.trim() || c.visitor.email || visitorHandle(c.visitor.id),
      name: c.visitor.name,
      email: c.visitor.email,
      externalId: c.visitor.externalId,
      identityVerified: c.visitor.identityVerified,
      verifiedFields: c.visitor.identityVerified ? c.visitor.verifiedFields : [],
      firstSeenAt: c.visitor.createdAt.toISOString(),
      lastSeenAt: c.visitor.lastSeenAt.toISOString(),
      pageUrl: str(meta.pageUrl) ?? str(meta.currentPage),
      referrer: str(meta.referrer),
      origin: str(meta.origin),
      location: str(meta.location) ?? ([str(meta.city), str(meta.country)].filter(Boolean).join(', ') || null),
      browser: ua.browser,
      os: ua.os,
      mobile: ua.mobile,
      timeZone: c.visitor.timeZone,
      pages: pageViews.map((p) => ({ url: p.url, seenAt: p.seenAt.toISOString() })),
      traits: stringRecord(meta.traits),
    },
    pastConversations: past.map((p) => ({ ...p, createdAt: p.createdAt.toISOString() })),
    messages: rows
      .slice(0, MAX_MESSAGES)
      .reverse()
      .map((m) => ({
        id: m.id,
        seq: m.seq,
        sender: m.sender,
        visibility: m.visibility,
        authorName: m.authorName,
        body: m.deletedAt ? '' : m.body,
        source: m.source,
        createdAt: m.createdAt.toISOString(),
        editedAt: m.editedAt?.toISOString() ?? null,
        deletedAt: m.deletedAt?.toISOString() ?? null,
        attachments: m.deletedAt ? [] : m.attachments,
      })),
    truncated: rows.length > MAX_MESSAGES,
  };
}

/** What the assignee picker and the tag field offer: the organization's members and the project's tags in use. */
export async function getAssignmentChoices(
  db: TDb,
  organizationId: string,
  projectId: string,
): Promise<{ members: { id: string; label: string }[]; tags: string[] }> {
  const [members, tags] = await Promise.all([
    listOrganizationMembers(db, organizationId),
    listProjectTags(db, organizationId, projectId),
  ]);
  return { members: members.map((m) => ({ id: m.userId, label: memberLabel(m) })), tags };
}
