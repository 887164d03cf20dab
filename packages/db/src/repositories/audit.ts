import type { Prisma } from '@prisma/client';
import type { TDb, TDbOrTx } from '../client.js';

/**
 * Where an audited action came from: the client address as the transport resolved it (its trusted-proxy rule) and
 * the client's User-Agent. Every audit write names one — `SYSTEM_ORIGIN` for what no request caused (a scheduled
 * pass, a Stripe event, the CLI).
 */
export interface TAuditOrigin {
  ip: string | null;
  userAgent: string | null;
}

export const SYSTEM_ORIGIN: TAuditOrigin = { ip: null, userAgent: null };

/** The one way an audit entry is written. */
export async function writeAuditLog(
  db: TDbOrTx,
  organizationId: string,
  entry: {
    actorType: 'user' | 'api_key' | 'system' | 'cli';
    actorId?: string | null;
    action: string;
    targetType?: string;
    targetId?: string;
    metadata?: Prisma.InputJsonValue;
    createdAt?: Date;
  },
  origin: TAuditOrigin,
): Promise<void> {
  await db.auditLog.create({
    data: {
      organizationId,
      actorType: entry.actorType,
      actorId: entry.actorId ?? null,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      metadata: entry.metadata ?? {},
      ip: origin.ip?.slice(0, 64) ?? null,
      userAgent: origin.userAgent?.slice(0, 256) || null,
      ...(entry.createdAt ? { createdAt: entry.createdAt } : {}),
    },
  });
}

/** When the latest audit entry with this action on this target was written, or null. */
export async function getLatestAuditEntryAt(
  db: TDbOrTx,
  organizationId: string,
  entry: { action: string; targetType: string; targetId: string },
): Promise<Date | null> {
  const row = await db.auditLog.findFirst({
    where: { organizationId, action: entry.action, targetType: entry.targetType, targetId: entry.targetId },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  });
  return row?.createdAt ?? null;
}

export interface TAuditQuery {
  /** A user id, or an API key id. */
  actorId?: string | undefined;
  /** Exact action (`visitor.erased`), or a prefix ending with a dot (`connection.`). */
  action?: string | undefined;
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
  /** The last row of the previous page (`createdAt` + id, newest first). */
  cursor?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

export interface TAuditEntry {
  id: string;
  createdAt: string;
  actorType: string;
  actorId: string | null;
  /** The user's email, or the API key's name and prefix; null for the system or someone no longer found. */
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  metadata: unknown;
  ip: string | null;
  userAgent: string | null;
}

/**
 * One page of the organization's audit log, newest first, filtered by actor, action and date range, with each actor
 * named (users by email, API keys by name and prefix). `next` is the cursor of the following page, or null.
 */
export async function listAuditEntries(
  db: TDb,
  organizationId: string,
  q: TAuditQuery,
): Promise<{ entries: TAuditEntry[]; next: { createdAt: Date; id: string } | null }> {
  const action = q.action?.endsWith('.') ? { startsWith: q.action } : q.action;
  const rows = await db.auditLog.findMany({
    where: {
      organizationId,
      ...(q.actorId ? { actorId: q.actorId } : {}),
      ...(action ? { action } : {}),
      ...(q.from || q.to ? { createdAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
      ...(q.cursor
        ? {
            OR: [{ createdAt: { lt: q.cursor.createdAt } }, { createdAt: q.cursor.createdAt, id: { lt: q.cursor.id } }],
          }
        : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const userIds = [...new Set(page.filter((r) => r.actorType === 'user' && r.actorId).map((r) => r.actorId!))];
  const keyIds = [...new Set(page.filter((r) => r.actorType === 'api_key' && r.actorId).map((r) => r.actorId!))];
  const [users, keys] = await Promise.all([
    userIds.length ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }) : [],
    keyIds.length
      ? db.apiKey.findMany({
          where: { organizationId, id: { in: keyIds } },
          select: { id: true, name: true, prefix: true },
        })
      : [],
  ]);
  const label = new Map<string, string>([
    ...users.map((u) => [u.id, u.email] as [string, string]),
    ...keys.map((k) => [k.id, `API key ${k.name} (${k.prefix}…)`] as [string, string]),
  ]);
  const last = page[page.length - 1];
  return {
    entries: page.map((r) => ({
      id: r.id,
      createdAt: r.createdAt.toISOString(),
      actorType: r.actorType,
      actorId: r.actorId,
      actorLabel: r.actorId ? (label.get(r.actorId) ?? null) : null,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      metadata: r.metadata,
      ip: r.ip,
      userAgent: r.userAgent,
    })),
    next: rows.length > q.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

/** The distinct actions recorded for the organization (the audit page's filter). */
export async function listAuditActions(db: TDb, organizationId: string): Promise<string[]> {
  const rows = await db.auditLog.findMany({
    where: { organizationId },
    distinct: ['action'],
    select: { action: true },
    orderBy: { action: 'asc' },
    take: 500,
  });
  return rows.map((r) => r.action);
}
