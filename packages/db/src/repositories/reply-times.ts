import type { TDb } from '../client.js';

/** How the measured reply time is taken: recent conversations, and how many answered ones make a figure. */
export const REPLY_TIME_SAMPLE = { days: 30, conversations: 50, minAnswered: 3 } as const;

/**
 * The project's real first-response time: the median, over its most recent conversations (REPLY_TIME_SAMPLE), of
 * the wait between the visitor's first message and the first public reply of a person (the AI does not count), in
 * whole minutes rounded up (at least 1). Null while fewer than `minAnswered` conversations were answered: the
 * project's own setting is shown instead. One statement; callers cache it.
 */
export async function getMedianFirstResponseMinutes(
  db: TDb,
  organizationId: string,
  projectId: string,
): Promise<number | null> {
  const rows = await db.$queryRaw<{ median: number | null; answered: bigint }[]>`
    WITH recent AS (
      SELECT c.id FROM "Conversation" c
      WHERE c."organizationId" = ${organizationId} AND c."projectId" = ${projectId}
        AND c."createdAt" > now() - make_interval(days => ${REPLY_TIME_SAMPLE.days})
      ORDER BY c."createdAt" DESC
      LIMIT ${REPLY_TIME_SAMPLE.conversations}
    ), asked AS (
      SELECT r.id, (SELECT min(m."createdAt") FROM "Message" m
        WHERE m."organizationId" = ${organizationId} AND m."conversationId" = r.id AND m.sender = 'visitor') AS at
      FROM recent r
    ), waits AS (
      SELECT (SELECT min(m."createdAt") FROM "Message" m
        WHERE m."organizationId" = ${organizationId} AND m."conversationId" = a.id AND m.sender = 'operator'
          AND m.visibility = 'public' AND m."createdAt" >= a.at) - a.at AS wait
      FROM asked a WHERE a.at IS NOT NULL
    )
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM wait))::float8 AS median,
           count(wait) AS answered
    FROM waits WHERE wait IS NOT NULL`;
  const r = rows[0];
  if (!r || r.median === null || Number(r.answered) < REPLY_TIME_SAMPLE.minAnswered) return null;
  return Math.max(1, Math.ceil(r.median / 60));
}
