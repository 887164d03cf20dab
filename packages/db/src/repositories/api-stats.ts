import { Prisma } from '@prisma/client';
import type { TDb } from '../client.js';
import type { TApiTenant } from './api.js';

/**
 * Inbox figures per project for the API's tenant (the MCP `get_stats` tool), computed in one query:
 * - `open` / `unanswered`: now. Unanswered = open, the visitor has written, and no public reply (operator or AI) came
 *   after the visitor's last message.
 * - `created` / `closed`: conversations started / closed within [since, until).
 * - `responded` / `medianFirstResponseSeconds`: over the conversations started within [since, until) that got a
 *   public reply (operator or AI) after their first visitor message; the median of (first reply − first visitor
 *   message), null when none did. Internal notes and system messages never count as a reply.
 */
export interface TApiProjectStats {
  projectId: string;
  projectName: string;
  open: number;
  unanswered: number;
  created: number;
  closed: number;
  responded: number;
  medianFirstResponseSeconds: number | null;
}

export async function getApiConversationStats(
  db: TDb,
  scope: TApiTenant,
  q: { projectId?: string | undefined; since: Date; until: Date },
): Promise<TApiProjectStats[]> {
  if (scope.projectId && q.projectId && q.projectId !== scope.projectId) return [];
  const projectId = scope.projectId ?? q.projectId ?? null;
  const inProject = projectId === null ? Prisma.empty : Prisma.sql`AND p.id = ${projectId}`;
  const rows = await db.$queryRaw<
    {
      projectId: string;
      projectName: string;
      open: number;
      unanswered: number;
      created: number;
      closed: number;
      responded: number;
      median: number | null;
    }[]
  >`
    SELECT p.id AS "projectId", p.name AS "projectName",
      (SELECT count(*)::int FROM "Conversation" c
        WHERE c."organizationId" = p."organizationId" AND c."projectId" = p.id AND c.status = 'open') AS "open",
      (SELECT count(*)::int FROM "Conversation" c
        CROSS JOIN LATERAL (
          SELECT max(m.seq) AS seq FROM "Message" m
          WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id AND m.sender = 'visitor'
        ) lastv
        WHERE c."organizationId" = p."organizationId" AND c."projectId" = p.id AND c.status = 'open'
          AND lastv.seq IS NOT NULL
          AND NOT EXISTS (
            SELECT 1 FROM "Message" r
            WHERE r."organizationId" = c."organizationId" AND r."conversationId" = c.id AND r.seq > lastv.seq
              AND r.visibility = 'public' AND r.sender IN ('operator', 'ai') AND r."deletedAt" IS NULL
          )) AS "unanswered",
      (SELECT count(*)::int FROM "Conversation" c
        WHERE c."organizationId" = p."organizationId" AND c."projectId" = p.id
          AND c."createdAt" >= ${q.since} AND c."createdAt" < ${q.until}) AS "created",
      (SELECT count(*)::int FROM "Conversation" c
        WHERE c."organizationId" = p."organizationId" AND c."projectId" = p.id AND c.status = 'closed'
          AND c."closedAt" >= ${q.since} AND c."closedAt" < ${q.until}) AS "closed",
      fr.responded, fr.median
    FROM "Project" p
    LEFT JOIN LATERAL (
      SELECT count(*)::int AS responded,
        (percentile_cont(0.5) WITHIN GROUP (ORDER BY x.secs))::float8 AS median
      FROM (
        SELECT EXTRACT(EPOCH FROM (r.at - v.at)) AS secs
        FROM "Conversation" c
        CROSS JOIN LATERAL (
          SELECT m."createdAt" AS at, m.seq FROM "Message" m
          WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id AND m.sender = 'visitor'
          ORDER BY m.seq LIMIT 1
        ) v
        CROSS JOIN LATERAL (
          SELECT m."createdAt" AS at FROM "Message" m
          WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id AND m.seq > v.seq
            AND m.visibility = 'public' AND m.sender IN ('operator', 'ai')
          ORDER BY m.seq LIMIT 1
        ) r
        WHERE c."organizationId" = p."organizationId" AND c."projectId" = p.id
          AND c."createdAt" >= ${q.since} AND c."createdAt" < ${q.until}
      ) x
    ) fr ON true
    WHERE p."organizationId" = ${scope.organizationId} ${inProject}
    ORDER BY p."createdAt", p.id
  `;
  return rows.map((r) => ({
    projectId: r.projectId,
    projectName: r.projectName,
    open: r.open,
    unanswered: r.unanswered,
    created: r.created,
    closed: r.closed,
    responded: r.responded,
    medianFirstResponseSeconds: r.median === null ? null : Math.round(Number(r.median) * 10) / 10,
  }));
}
