import type { NotificationMode } from '@prisma/client';
import type { TDb, TDbOrTx } from '../client.js';
import { parseProjectSettings, visitorNumber } from '@pocketping/protocol';
import { countWorkingConnections } from './connections.js';

/**
 * Team notifications by email. One kind today: `waiting` — a visitor has waited unanswered for the project's
 * `waitNotifyMinutes`. Each user chooses per kind: off, one email each (the default), or a digest.
 */
export const NOTIFICATION_KINDS = ['waiting'] as const;
export type TNotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type TNotificationMode = NotificationMode;
export const DEFAULT_NOTIFICATION_MODE: TNotificationMode = 'immediate';

/** Every kind's mode for one user (the default where the user chose nothing). */
export async function getNotificationPreferences(
  db: TDbOrTx,
  userId: string,
): Promise<Record<TNotificationKind, TNotificationMode>> {
  const rows = await db.notificationPreference.findMany({ where: { userId }, select: { kind: true, mode: true } });
  const out = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, DEFAULT_NOTIFICATION_MODE])) as Record<
    TNotificationKind,
    TNotificationMode
  >;
  for (const r of rows)
    if ((NOTIFICATION_KINDS as readonly string[]).includes(r.kind)) out[r.kind as TNotificationKind] = r.mode;
  return out;
}

/**
 * Sets one kind's mode. Switching to digest starts the digest from now (what waited before is not mailed again);
 * `false` when the user does not exist (an unsubscribe link of a deleted account).
 */
export async function setNotificationPreference(
  db: TDbOrTx,
  userId: string,
  kind: TNotificationKind,
  mode: TNotificationMode,
): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true } });
  if (!user) return false;
  await db.notificationPreference.upsert({
    where: { userId_kind: { userId, kind } },
    create: { userId, kind, mode, digestSentAt: new Date() },
    update: { mode, ...(mode === 'digest' ? { digestSentAt: new Date() } : {}) },
  });
  return true;
}

export interface TWaitState {
  projectId: string;
  status: 'open' | 'closed';
  /** The first public visitor message after the last public operator or AI answer; null = nobody waits. */
  waitStart: { seq: number; createdAt: Date } | null;
}

/** Where a conversation's current wait started (the visitor's first message since the last answer), if it waits. */
export async function getWaitState(
  db: TDb,
  organizationId: string,
  conversationId: string,
): Promise<TWaitState | null> {
  const c = await db.conversation.findUnique({
    where: { organizationId_id: { organizationId, id: conversationId } },
    select: { projectId: true, status: true },
  });
  if (!c) return null;
  const answer = await db.message.findFirst({
    where: {
      organizationId,
      conversationId,
      sender: { in: ['operator', 'ai'] },
      visibility: 'public',
      deletedAt: null,
    },
    orderBy: { seq: 'desc' },
    select: { seq: true },
  });
  const start = await db.message.findFirst({
    where: {
      organizationId,
      conversationId,
      sender: 'visitor',
      visibility: 'public',
      deletedAt: null,
      seq: { gt: answer?.seq ?? 0 },
    },
    orderBy: { seq: 'asc' },
    select: { seq: true, createdAt: true },
  });
  return { projectId: c.projectId, status: c.status, waitStart: start };
}

/** Claims the notice of one wait (the id = this caller notifies); a wait already claimed answers null. */
export async function claimWaitNotice(
  db: TDbOrTx,
  organizationId: string,
  input: { projectId: string; conversationId: string; visitorSeq: number },
): Promise<string | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO "WaitNotice" (id, "organizationId", "projectId", "conversationId", "visitorSeq")
    VALUES (${`wn_${input.conversationId}_${input.visitorSeq}`}, ${organizationId}, ${input.projectId},
            ${input.conversationId}, ${input.visitorSeq})
    ON CONFLICT DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

/** Gives a claimed wait back (its emails could not be queued), so the job's retry claims and sends it. */
export async function releaseWaitNotice(db: TDbOrTx, organizationId: string, noticeId: string): Promise<void> {
  await db.waitNotice.deleteMany({ where: { organizationId, id: noticeId } });
}

export interface TWaitNoticeContext {
  projectName: string;
  /** The visitor's name or email when known, else a short stable number. */
  visitorLabel: string;
  /** The waiting messages, oldest first, each cut to 300 characters (at most 5). */
  excerpt: string[];
  waitingSince: Date;
  /** Connected chat apps that work: 0 means this email is the only alert the team gets. */
  workingChatApps: number;
}

/** What a waiting-visitor email says about the conversation. */
export async function getWaitNoticeContext(
  db: TDb,
  organizationId: string,
  input: { conversationId: string; visitorSeq: number },
): Promise<TWaitNoticeContext | null> {
  const c = await db.conversation.findUnique({
    where: { organizationId_id: { organizationId, id: input.conversationId } },
    select: {
      projectId: true,
      project: { select: { name: true } },
      visitor: { select: { id: true, name: true, email: true } },
      messages: {
        where: { sender: 'visitor', visibility: 'public', deletedAt: null, seq: { gte: input.visitorSeq } },
        orderBy: { seq: 'asc' },
        take: 5,
        select: { body: true, createdAt: true },
      },
    },
  });
  if (!c || c.messages.length === 0) return null;
  const workingChatApps = await countWorkingConnections(db, organizationId, c.projectId);
  return {
    projectName: c.project.name,
    visitorLabel: c.visitor.name ?? c.visitor.email ?? visitorNumberLabel(c.visitor.id),
    excerpt: c.messages.map((m) => (m.body.length > 300 ? `${m.body.slice(0, 299)}…` : m.body)),
    waitingSince: c.messages[0]!.createdAt,
    workingChatApps,
  };
}

/** "Visitor #4821": the visitor's short number, the same as in the chat apps' thread names. */
export function visitorNumberLabel(visitorId: string): string {
  return `Visitor #${visitorNumber(visitorId)}`;
}

export interface TNotificationRecipient {
  userId: string;
  email: string;
  name: string | null;
  mode: TNotificationMode;
}

/** The organization's members who want this kind by email (immediate or digest), with their mode. */
export async function listNotificationRecipients(
  db: TDb,
  organizationId: string,
  kind: TNotificationKind,
): Promise<TNotificationRecipient[]> {
  const members = await db.membership.findMany({
    where: { organizationId },
    select: {
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          notificationPreferences: { where: { kind }, select: { mode: true } },
        },
      },
    },
    orderBy: { createdAt: 'asc' },
  });
  return members
    .map(({ user }) => ({
      userId: user.id,
      email: user.email,
      name: user.name,
      mode: user.notificationPreferences[0]?.mode ?? DEFAULT_NOTIFICATION_MODE,
    }))
    .filter((r) => r.mode !== 'off');
}

/** Users in digest mode for a kind whose last digest is older than `everyMs` (the digest pass's candidates). */
export async function listDigestDue(db: TDb, kind: TNotificationKind, everyMs: number, now = new Date()) {
  const rows = await db.notificationPreference.findMany({
    where: {
      kind,
      mode: 'digest',
      OR: [{ digestSentAt: null }, { digestSentAt: { lte: new Date(now.getTime() - everyMs) } }],
    },
    select: { userId: true },
    take: 1000,
  });
  return rows.map((r) => r.userId);
}

/**
 * Claims one user's digest: moves their `digestSentAt` to `now` only if it is still what this caller read (two
 * workers never send the same digest). Answers the window start (the previous digest), or null if claimed elsewhere.
 */
export async function claimDigest(
  db: TDbOrTx,
  userId: string,
  kind: TNotificationKind,
  everyMs: number,
  now = new Date(),
): Promise<Date | null> {
  const rows = await db.$queryRaw<{ since: Date | null }[]>`
    UPDATE "NotificationPreference" p SET "digestSentAt" = ${now}
    FROM (SELECT "digestSentAt" AS since FROM "NotificationPreference"
          WHERE "userId" = ${userId} AND kind = ${kind} FOR UPDATE) old
    WHERE p."userId" = ${userId} AND p.kind = ${kind} AND p.mode = 'digest'
      AND (p."digestSentAt" IS NULL OR p."digestSentAt" <= ${new Date(now.getTime() - everyMs)})
    RETURNING old.since`;
  if (rows.length === 0) return null;
  return rows[0]!.since ?? new Date(now.getTime() - everyMs);
}

/** Gives a claimed digest back (its email could not be queued), so the next pass sends it. */
export async function releaseDigest(db: TDbOrTx, userId: string, kind: TNotificationKind, since: Date): Promise<void> {
  await db.notificationPreference.updateMany({ where: { userId, kind }, data: { digestSentAt: since } });
}

export interface TDigestItem {
  organizationId: string;
  projectId: string;
  projectName: string;
  conversationId: string;
  visitorLabel: string;
  waitingSince: Date;
}

/**
 * The waits announced in (since, until] in the user's organizations that still wait: the conversation is open and
 * its wait still starts at the announced message (nobody answered since). Oldest first, at most `limit`.
 */
export async function listDigestItems(
  db: TDb,
  userId: string,
  window: { since: Date; until: Date },
  limit = 50,
): Promise<TDigestItem[]> {
  const rows = await db.$queryRaw<
    {
      organizationId: string;
      projectId: string;
      projectName: string;
      conversationId: string;
      visitorId: string;
      visitorName: string | null;
      visitorEmail: string | null;
      waitingSince: Date;
    }[]
  >`
    SELECT n."organizationId", n."projectId", p.name AS "projectName", n."conversationId",
           v.id AS "visitorId", v.name AS "visitorName", v.email AS "visitorEmail", m."createdAt" AS "waitingSince"
    FROM "WaitNotice" n
    JOIN "Membership" mb ON mb."organizationId" = n."organizationId" AND mb."userId" = ${userId}
    JOIN "Conversation" c ON c."organizationId" = n."organizationId" AND c.id = n."conversationId" AND c.status = 'open'
    JOIN "Project" p ON p."organizationId" = n."organizationId" AND p.id = n."projectId"
    JOIN "Visitor" v ON v."organizationId" = c."organizationId" AND v.id = c."visitorId"
    JOIN "Message" m ON m."organizationId" = n."organizationId" AND m."conversationId" = n."conversationId"
                    AND m.seq = n."visitorSeq"
    WHERE n."createdAt" > ${window.since} AND n."createdAt" <= ${window.until}
      AND NOT EXISTS (
        SELECT 1 FROM "Message" a
        WHERE a."organizationId" = n."organizationId" AND a."conversationId" = n."conversationId"
          AND a.seq > n."visitorSeq" AND a.sender IN ('operator', 'ai') AND a.visibility = 'public'
          AND a."deletedAt" IS NULL)
    ORDER BY m."createdAt" ASC
    LIMIT ${limit}`;
  return rows.map((r) => ({
    organizationId: r.organizationId,
    projectId: r.projectId,
    projectName: r.projectName,
    conversationId: r.conversationId,
    visitorLabel: r.visitorName ?? r.visitorEmail ?? visitorNumberLabel(r.visitorId),
    waitingSince: r.waitingSince,
  }));
}

/** The user a notification goes to (digest and unsubscribe pages). */
export async function getNotificationUser(db: TDb, userId: string) {
  return db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true } });
}

/** Is this address refused for good by the mail server (a hard bounce)? Case-insensitive. */
export async function isMailSuppressed(db: TDb, email: string): Promise<boolean> {
  return (await db.mailSuppression.count({ where: { email: email.toLowerCase() } })) > 0;
}

/** Stops all mail to an address the server refused permanently. */
export async function suppressMail(db: TDb, email: string, reason: string): Promise<void> {
  await db.mailSuppression.upsert({
    where: { email: email.toLowerCase() },
    create: { email: email.toLowerCase(), reason: reason.slice(0, 500) },
    update: {},
  });
}

// ── Operator replies emailed to a visitor who left ──

export interface TVisitorReplyCandidate {
  organizationId: string;
  projectId: string;
  conversationId: string;
  visitorId: string;
  email: string;
  /** The operator/AI messages after this seq are neither read by the visitor nor emailed yet. */
  afterSeq: number;
  /** The newest of them. */
  upToSeq: number;
}

/**
 * Conversations with public operator or AI messages the visitor has neither read nor been emailed, the newest of them
 * older than `graceMs` (a visitor who is just reconnecting reads them in the widget), written in the last
 * `lookbackMs`, whose visitor left an email. Across tenants (the worker's pass), on the lastMessageAt index.
 */
export async function listVisitorReplyCandidates(
  db: TDb,
  opts: { graceMs: number; lookbackMs: number; limit: number; now?: Date },
): Promise<TVisitorReplyCandidate[]> {
  const now = opts.now ?? new Date();
  const rows = await db.$queryRaw<TVisitorReplyCandidate[]>`
    SELECT c."organizationId", c."projectId", c.id AS "conversationId", c."visitorId", v.email,
           GREATEST(c."visitorLastReadSeq", c."visitorEmailedSeq") AS "afterSeq", r.up_to AS "upToSeq"
    FROM "Conversation" c
    JOIN "Visitor" v ON v."organizationId" = c."organizationId" AND v.id = c."visitorId" AND v.email IS NOT NULL
    CROSS JOIN LATERAL (
      SELECT max(m.seq) AS up_to, max(m."createdAt") AS newest FROM "Message" m
      WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id
        AND m.seq > GREATEST(c."visitorLastReadSeq", c."visitorEmailedSeq")
        AND m.sender IN ('operator', 'ai') AND m.visibility = 'public' AND m."deletedAt" IS NULL
    ) r
    WHERE c."lastMessageAt" > ${new Date(now.getTime() - opts.lookbackMs)}
      AND r.up_to IS NOT NULL AND r.newest <= ${new Date(now.getTime() - opts.graceMs)}
    ORDER BY c."lastMessageAt" ASC
    LIMIT ${opts.limit}`;
  return rows;
}

/** Claims the email of a conversation's unread replies up to `upToSeq` (false: claimed or read meanwhile). */
export async function claimVisitorReplyEmail(
  db: TDbOrTx,
  organizationId: string,
  input: { conversationId: string; afterSeq: number; upToSeq: number },
): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE "Conversation" SET "visitorEmailedSeq" = ${input.upToSeq}
    WHERE "organizationId" = ${organizationId} AND id = ${input.conversationId}
      AND GREATEST("visitorLastReadSeq", "visitorEmailedSeq") = ${input.afterSeq}`;
  return n === 1;
}

/** Gives a claimed reply email back (it could not be queued), so the next pass sends it. */
export async function releaseVisitorReplyEmail(
  db: TDbOrTx,
  organizationId: string,
  input: { conversationId: string; afterSeq: number; upToSeq: number },
): Promise<void> {
  await db.conversation.updateMany({
    where: { organizationId, id: input.conversationId, visitorEmailedSeq: input.upToSeq },
    data: { visitorEmailedSeq: input.afterSeq },
  });
}

export interface TVisitorConversationView {
  projectId: string;
  projectName: string;
  status: 'open' | 'closed';
  /** The project's widget colour and the name operators answer under. */
  color: string;
  operatorName: string;
  messages: {
    seq: number;
    sender: 'visitor' | 'operator' | 'ai';
    authorName: string | null;
    body: string;
    createdAt: Date;
  }[];
}

/**
 * A conversation as its visitor sees it (public messages only, no internal notes, no system rows), for the reply
 * email and the page its link opens. Null unless the conversation is that visitor's.
 */
export async function getVisitorConversationView(
  db: TDb,
  organizationId: string,
  input: { conversationId: string; visitorId: string; limit?: number },
): Promise<TVisitorConversationView | null> {
  const c = await db.conversation.findUnique({
    where: { organizationId_id: { organizationId, id: input.conversationId } },
    select: {
      visitorId: true,
      status: true,
      projectId: true,
      project: { select: { name: true, settings: true } },
      messages: {
        where: { visibility: 'public', deletedAt: null, sender: { in: ['visitor', 'operator', 'ai'] } },
        orderBy: { seq: 'desc' },
        take: input.limit ?? 200,
        select: { seq: true, sender: true, authorName: true, body: true, createdAt: true },
      },
    },
  });
  if (!c || c.visitorId !== input.visitorId) return null;
  const settings = parseProjectSettings(c.project.settings);
  return {
    projectId: c.projectId,
    projectName: c.project.name,
    status: c.status,
    color: settings.color,
    operatorName: settings.operatorName,
    messages: c.messages.reverse().map((m) => ({ ...m, sender: m.sender as 'visitor' | 'operator' | 'ai' })),
  };
}

/**
 * Alerts in the open dashboard (not emails): a desktop notification and a sound for a visitor's new message. Stored
 * as NotificationPreference rows of their own kinds, on = `immediate`, off = `off`; both on by default (the browser
 * still asks the user before the first desktop notification).
 */
export const BROWSER_ALERT_KINDS = ['desktop', 'sound'] as const;
export type TBrowserAlertKind = (typeof BROWSER_ALERT_KINDS)[number];
export type TBrowserAlerts = Record<TBrowserAlertKind, boolean>;

export async function getBrowserAlerts(db: TDbOrTx, userId: string): Promise<TBrowserAlerts> {
  const rows = await db.notificationPreference.findMany({
    where: { userId, kind: { in: [...BROWSER_ALERT_KINDS] } },
    select: { kind: true, mode: true },
  });
  const out: TBrowserAlerts = { desktop: true, sound: true };
  for (const r of rows) out[r.kind as TBrowserAlertKind] = r.mode !== 'off';
  return out;
}

/** Turns some of the user's dashboard alerts on or off; `false` when the user does not exist. */
export async function setBrowserAlerts(
  db: TDbOrTx,
  userId: string,
  changes: Partial<TBrowserAlerts>,
): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true } });
  if (!user) return false;
  for (const kind of BROWSER_ALERT_KINDS) {
    const on = changes[kind];
    if (on === undefined) continue;
    const mode: TNotificationMode = on ? 'immediate' : 'off';
    await db.notificationPreference.upsert({
      where: { userId_kind: { userId, kind } },
      create: { userId, kind, mode },
      update: { mode },
    });
  }
  return true;
}
