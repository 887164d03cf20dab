import type { TDb } from '../client.js';

/**
 * Moves a read watermark forward only (a late or replayed `read` never moves it back) and never past the last
 * seq of the conversation. Returns the watermark after the update and whether it moved.
 */
async function moveWatermark(
  db: TDb,
  organizationId: string,
  conversationId: string,
  column: 'visitorLastReadSeq' | 'operatorLastReadSeq',
  seq: number,
): Promise<{ seq: number; moved: boolean } | null> {
  // Two statements would race; one UPDATE with GREATEST/LEAST is atomic. The column name is one of two literals.
  const rows = await db.$queryRawUnsafe<{ before: number; after: number }[]>(
    `WITH prev AS (SELECT "${column}" AS v FROM "Conversation" WHERE "organizationId" = $1 AND id = $2)
     UPDATE "Conversation" c SET "${column}" = GREATEST(c."${column}", LEAST($3::int, c."nextSeq" - 1))
     FROM prev WHERE c."organizationId" = $1 AND c.id = $2
     RETURNING prev.v AS before, c."${column}" AS after`,
    organizationId,
    conversationId,
    seq,
  );
  const row = rows[0];
  if (!row) return null;
  return { seq: Number(row.after), moved: Number(row.after) !== Number(row.before) };
}

/** The visitor has seen everything up to `seq` (widget `read`). */
export function markVisitorRead(db: TDb, organizationId: string, conversationId: string, seq: number) {
  return moveWatermark(db, organizationId, conversationId, 'visitorLastReadSeq', seq);
}

/** An operator has read everything up to `seq` (dashboard, or implied by a reply). */
export function markOperatorRead(db: TDb, organizationId: string, conversationId: string, seq: number) {
  return moveWatermark(db, organizationId, conversationId, 'operatorLastReadSeq', seq);
}

/**
 * The "delivered" watermark a widget gets back after a reload: the highest seq of a visitor message that reached a
 * chat app (its outbox row done). The live `receipt` pushes say the same as it happens; without this a reload
 * would show "Sent" under a message that had shown "Delivered".
 */
export async function getDeliveredSeq(db: TDb, organizationId: string, conversationId: string): Promise<number> {
  const row = await db.message.aggregate({
    _max: { seq: true },
    where: { organizationId, conversationId, sender: 'visitor', outbox: { some: { organizationId, status: 'done' } } },
  });
  return row._max.seq ?? 0;
}
