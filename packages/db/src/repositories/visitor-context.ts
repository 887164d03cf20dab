import { VISITOR_PAGE_VIEWS_KEPT, type TPageVisit } from '@pocketping/protocol';
import type { TDb } from '../client.js';
import { findUnstorableChar } from '../storable.js';

/** What a widget reports about its visitor's browser: the zone (already checked) and the session's pages. */
export interface TVisitorContextInput {
  timeZone?: string;
  pages?: TPageVisit[];
  /** The browser's clock when it sent the pages; without it their times are taken as they are. */
  clientNow?: number;
}

/**
 * Records a widget's report: the visitor's time zone when it changed, and the pages not stored yet (a page reported
 * again after a reconnect is the same row: same browser time and URL). Page times move onto the server's clock by the
 * browser's offset and never lie in the future. Only the newest VISITOR_PAGE_VIEWS_KEPT pages of the visitor stay.
 */
export async function recordVisitorContext(
  db: TDb,
  organizationId: string,
  visitorId: string,
  input: TVisitorContextInput,
  now = new Date(),
): Promise<{ pagesAdded: number }> {
  if (input.timeZone)
    await db.visitor.updateMany({
      where: { organizationId, id: visitorId, OR: [{ timeZone: null }, { timeZone: { not: input.timeZone } }] },
      data: { timeZone: input.timeZone },
    });
  const offset = input.clientNow ? now.getTime() - input.clientNow : 0;
  const rows = (input.pages ?? [])
    .filter(([url]) => findUnstorableChar(url) === -1)
    .slice(-VISITOR_PAGE_VIEWS_KEPT)
    .map(([url, at]) => ({
      organizationId,
      visitorId,
      url,
      clientAt: BigInt(at),
      seenAt: new Date(Math.max(0, Math.min(now.getTime(), at + offset))),
    }));
  if (rows.length === 0) return { pagesAdded: 0 };
  const { count } = await db.visitorPageView.createMany({ data: rows, skipDuplicates: true });
  if (count > 0) {
    const beyond = await db.visitorPageView.findMany({
      where: { organizationId, visitorId },
      orderBy: [{ seenAt: 'desc' }, { clientAt: 'desc' }],
      skip: VISITOR_PAGE_VIEWS_KEPT,
      select: { id: true },
    });
    if (beyond.length > 0)
      await db.visitorPageView.deleteMany({ where: { organizationId, id: { in: beyond.map((r) => r.id) } } });
  }
  return { pagesAdded: count };
}

export interface TVisitorPageView {
  url: string;
  seenAt: Date;
}

/** The visitor's recorded pages, newest first. */
export async function listVisitorPageViews(
  db: TDb,
  organizationId: string,
  visitorId: string,
): Promise<TVisitorPageView[]> {
  return db.visitorPageView.findMany({
    where: { organizationId, visitorId },
    orderBy: [{ seenAt: 'desc' }, { clientAt: 'desc' }],
    take: VISITOR_PAGE_VIEWS_KEPT,
    select: { url: true, seenAt: true },
  });
}

export interface TPastConversation {
  id: string;
  status: 'open' | 'closed';
  createdAt: Date;
  /** The first line of the visitor's first public message (null: none, e.g. a conversation opened by a file). */
  firstLine: string | null;
}

/** First lines are cut to this many characters. */
const FIRST_LINE_MAX = 120;

/**
 * The visitor's other conversations in this project, newest first: the inbox's "past conversations" (a visitor id
 * of another project or organization finds nothing).
 */
export async function listPastConversations(
  db: TDb,
  scope: { organizationId: string; projectId: string },
  visitorId: string,
  excludeConversationId: string,
  limit = 10,
): Promise<TPastConversation[]> {
  const rows = await db.conversation.findMany({
    where: {
      organizationId: scope.organizationId,
      projectId: scope.projectId,
      visitorId,
      id: { not: excludeConversationId },
    },
    orderBy: { createdAt: 'desc' },
    take: limit,
    select: {
      id: true,
      status: true,
      createdAt: true,
      messages: {
        where: { sender: 'visitor', visibility: 'public', deletedAt: null, body: { not: '' } },
        orderBy: { seq: 'asc' },
        take: 1,
        select: { body: true },
      },
    },
  });
  return rows.map((r) => {
    const line = r.messages[0]?.body.trim().split('\n')[0]?.trim() ?? '';
    return {
      id: r.id,
      status: r.status,
      createdAt: r.createdAt,
      firstLine: line ? (line.length > FIRST_LINE_MAX ? `${line.slice(0, FIRST_LINE_MAX - 1)}…` : line) : null,
    };
  });
}
