import type { TDb, TDbOrTx } from '../client.js';

/**
 * What an organization uses, counted where it is cheap: rows for projects, seats, chat apps and storage; this
 * month's conversations from their rows (the reconcile of realtime's Redis counter); AI replies and tokens from
 * `UsageMonth`, which nothing else counts. Paused projects and chat apps (after a downgrade) do not count: they
 * are what is kept beyond the plan, read-only.
 */

export async function countActiveProjects(db: TDbOrTx, organizationId: string): Promise<number> {
  return db.project.count({ where: { organizationId, pausedAt: null } });
}

/** Members plus invitations still pending (neither accepted, revoked nor expired). */
/** Members only (accepting an invitation turns its pending seat into a member). */
export async function countMembers(db: TDbOrTx, organizationId: string): Promise<number> {
  return db.membership.count({ where: { organizationId } });
}

export async function countSeats(db: TDbOrTx, organizationId: string, now = new Date()): Promise<number> {
  const [members, invitations] = await Promise.all([
    db.membership.count({ where: { organizationId } }),
    db.invitation.count({ where: { organizationId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } } }),
  ]);
  return members + invitations;
}

export async function countActiveChatApps(db: TDbOrTx, organizationId: string, projectId: string): Promise<number> {
  return db.bridgeConnection.count({
    where: { organizationId, projectId, pausedAt: null, status: { not: 'disabled' } },
  });
}

export interface TProjectUsageRow {
  id: string;
  name: string;
  pausedAt: Date | null;
  chatApps: number;
  pausedChatApps: number;
}

/** Every project with its chat app counts (the usage page), oldest first. */
export async function listProjectUsage(db: TDbOrTx, organizationId: string): Promise<TProjectUsageRow[]> {
  const projects = await db.project.findMany({
    where: { organizationId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, pausedAt: true },
  });
  const connections = await db.bridgeConnection.findMany({
    where: { organizationId, status: { not: 'disabled' } },
    select: { projectId: true, pausedAt: true },
  });
  return projects.map((p) => {
    const own = connections.filter((c) => c.projectId === p.id);
    const paused = own.filter((c) => c.pausedAt !== null).length;
    return { ...p, chatApps: own.length - paused, pausedChatApps: paused };
  });
}

/** Conversations started since `since` (the start of the usage month), over quota or not. */
export async function countConversationsSince(db: TDbOrTx, organizationId: string, since: Date): Promise<number> {
  return db.conversation.count({ where: { organizationId, createdAt: { gte: since } } });
}

export async function getAiUsage(
  db: TDbOrTx,
  organizationId: string,
  month: string,
): Promise<{ replies: number; tokens: number }> {
  const row = await db.usageMonth.findUnique({ where: { organizationId_month: { organizationId, month } } });
  return { replies: row?.aiReplies ?? 0, tokens: Number(row?.aiTokens ?? 0) };
}

/** Adds AI usage to the month (durable) and returns the month's totals. */
export async function addAiUsage(
  db: TDbOrTx,
  organizationId: string,
  month: string,
  add: { replies: number; tokens: number },
): Promise<{ replies: number; tokens: number }> {
  const row = await db.usageMonth.upsert({
    where: { organizationId_month: { organizationId, month } },
    create: { organizationId, month, aiReplies: add.replies, aiTokens: BigInt(add.tokens) },
    update: { aiReplies: { increment: add.replies }, aiTokens: { increment: BigInt(add.tokens) } },
  });
  return { replies: row.aiReplies, tokens: Number(row.aiTokens) };
}

/**
 * Records that the usage email for (month, limit, threshold) is being sent. True only for the first caller: the
 * primary key is the dedupe, so two workers racing send one email.
 */
export async function claimUsageAlert(
  db: TDbOrTx,
  organizationId: string,
  alert: { month: string; limit: string; threshold: number },
): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO "UsageAlert" ("organizationId", month, "limit", threshold) VALUES (${organizationId}, ${alert.month}, ${alert.limit}, ${alert.threshold})
    ON CONFLICT DO NOTHING`;
  return inserted === 1;
}

/** Gives a claimed alert back (its email could not be sent), so the next pass tries again. */
export async function releaseUsageAlert(
  db: TDbOrTx,
  organizationId: string,
  alert: { month: string; limit: string; threshold: number },
): Promise<void> {
  await db.usageAlert.deleteMany({ where: { organizationId, ...alert } });
}

export async function listOwnerEmails(db: TDbOrTx, organizationId: string): Promise<string[]> {
  const rows = await db.membership.findMany({
    where: { organizationId, role: 'owner' },
    select: { user: { select: { email: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((r) => r.user.email);
}

/** Organizations, by id, a page at a time (the worker's usage pass). */
export async function listOrganizationIdsAfter(db: TDb, afterId: string | null, limit: number): Promise<string[]> {
  const rows = await db.organization.findMany({
    where: afterId ? { id: { gt: afterId } } : {},
    orderBy: { id: 'asc' },
    take: limit,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}
