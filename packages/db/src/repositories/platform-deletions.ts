import type { TDb } from '../client.js';

export interface TPlatformDeletion {
  id: string;
  organizationId: string;
  connectionId: string;
  externalChatId: string;
  externalThreadId: string;
  externalMessageId: string;
  attempts: number;
}

/** A claimed row is left alone by other workers this long (the platform call and the mark fit well within). */
const CLAIM_MS = 2 * 60_000;

/**
 * Claims up to `limit` pending chat-app deletions (of one organization, or of any when null): each claim counts an
 * attempt and holds the row for two minutes, so two workers never delete the same post at once and a worker that
 * died mid-way leaves its rows to the next pass.
 */
export async function claimPlatformDeletions(
  db: TDb,
  input: { organizationId: string | null; now: Date; limit: number },
): Promise<TPlatformDeletion[]> {
  const { organizationId, now, limit } = input;
  const until = new Date(now.getTime() - CLAIM_MS);
  return db.$queryRaw<TPlatformDeletion[]>`
    UPDATE "PlatformDeletion" SET attempts = attempts + 1, "processedAt" = ${now}
    WHERE id IN (
      SELECT id FROM "PlatformDeletion"
      WHERE status = 'pending' AND ("processedAt" IS NULL OR "processedAt" < ${until})
        AND (${organizationId}::text IS NULL OR "organizationId" = ${organizationId})
      ORDER BY "createdAt"
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING id, "organizationId", "connectionId", "externalChatId", "externalThreadId", "externalMessageId", attempts`;
}

/** Records the outcome: done, or the error — given up (`failed`) once `giveUp`, else pending for the next pass. */
export async function finishPlatformDeletion(
  db: TDb,
  row: Pick<TPlatformDeletion, 'id' | 'organizationId'>,
  outcome: { ok: true } | { ok: false; error: string; giveUp: boolean },
): Promise<void> {
  await db.platformDeletion.updateMany({
    where: { id: row.id, organizationId: row.organizationId },
    data: outcome.ok
      ? { status: 'done', lastError: null }
      : { status: outcome.giveUp ? 'failed' : 'pending', lastError: outcome.error.slice(0, 500) },
  });
}

/** Organizations with chat-app deletions waiting (the privacy pass drains each). */
export async function listOrganizationsWithPendingPlatformDeletions(db: TDb, limit: number): Promise<string[]> {
  const rows = await db.platformDeletion.findMany({
    where: { status: 'pending' },
    distinct: ['organizationId'],
    select: { organizationId: true },
    take: limit,
  });
  return rows.map((r) => r.organizationId);
}
