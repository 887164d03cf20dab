import type { TDb, TDbOrTx } from '../client.js';
import { parseProjectSettings } from '@pocketping/protocol';

/** Messages a transcript carries at most (the newest; older ones are summarised as a count). */
export const TRANSCRIPT_MAX_MESSAGES = 200;

export interface TTranscript {
  projectId: string;
  projectName: string;
  /** The name operators answer under (a reply without an author name is theirs). */
  operatorName: string;
  visitorName: string | null;
  /** Public messages the transcript leaves out because it is long. */
  omitted: number;
  messages: {
    sender: 'visitor' | 'operator' | 'ai';
    authorName: string | null;
    body: string;
    createdAt: Date;
    /** Attachment names only: a transcript never carries files or links to them. */
    files: string[];
  }[];
}

/**
 * A conversation as its visitor saw it, for the transcript email: public visitor, operator and AI messages in order
 * (internal notes and system rows never), with the names of their files. Null when the conversation is not this
 * visitor's in this organization: a transcript goes only to the conversation's own visitor.
 */
export async function getConversationTranscript(
  db: TDb,
  organizationId: string,
  input: { conversationId: string; visitorId: string },
): Promise<TTranscript | null> {
  const c = await db.conversation.findUnique({
    where: { organizationId_id: { organizationId, id: input.conversationId } },
    select: {
      visitorId: true,
      projectId: true,
      visitor: { select: { name: true } },
      project: { select: { name: true, settings: true } },
    },
  });
  if (!c || c.visitorId !== input.visitorId) return null;
  const where = {
    organizationId,
    conversationId: input.conversationId,
    visibility: 'public' as const,
    deletedAt: null,
    sender: { in: ['visitor' as const, 'operator' as const, 'ai' as const] },
  };
  const [rows, total] = await Promise.all([
    db.message.findMany({
      where,
      orderBy: { seq: 'desc' },
      take: TRANSCRIPT_MAX_MESSAGES,
      select: {
        sender: true,
        authorName: true,
        body: true,
        createdAt: true,
        attachments: { select: { name: true }, orderBy: { createdAt: 'asc' } },
      },
    }),
    db.message.count({ where }),
  ]);
  return {
    projectId: c.projectId,
    projectName: c.project.name,
    operatorName: parseProjectSettings(c.project.settings).operatorName,
    visitorName: c.visitor.name,
    omitted: Math.max(0, total - rows.length),
    messages: rows.reverse().map((m) => ({
      sender: m.sender as 'visitor' | 'operator' | 'ai',
      authorName: m.authorName,
      body: m.body,
      createdAt: m.createdAt,
      files: m.attachments.map((a) => a.name),
    })),
  };
}

export interface TCloseTranscriptCandidate {
  organizationId: string;
  projectId: string;
  conversationId: string;
  visitorId: string;
  email: string;
  closedAt: Date;
}

/**
 * Conversations closed in the last `lookbackMs` whose transcript for that close has not gone out yet, in projects
 * that email one at close, whose visitor left an email. Across tenants (the worker's pass), on the closedAt index.
 */
export async function listCloseTranscriptCandidates(
  db: TDb,
  opts: { lookbackMs: number; limit: number; now?: Date },
): Promise<TCloseTranscriptCandidate[]> {
  const now = opts.now ?? new Date();
  return db.$queryRaw<TCloseTranscriptCandidate[]>`
    SELECT c."organizationId", c."projectId", c.id AS "conversationId", c."visitorId", v.email, c."closedAt"
    FROM "Conversation" c
    JOIN "Visitor" v ON v."organizationId" = c."organizationId" AND v.id = c."visitorId" AND v.email IS NOT NULL
    JOIN "Project" p ON p."organizationId" = c."organizationId" AND p.id = c."projectId"
    WHERE c."closedAt" > ${new Date(now.getTime() - opts.lookbackMs)} AND c."closedAt" <= ${now}
      AND c.status = 'closed'
      AND (c."transcriptClosedAt" IS NULL OR c."transcriptClosedAt" < c."closedAt")
      AND p.settings->>'emailTranscriptOnClose' = 'true'
    ORDER BY c."closedAt" ASC
    LIMIT ${opts.limit}`;
}

/** Claims the transcript of one close (false: already sent for it, or the conversation was reopened meanwhile). */
export async function claimCloseTranscript(
  db: TDbOrTx,
  organizationId: string,
  input: { conversationId: string; closedAt: Date },
): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE "Conversation" SET "transcriptClosedAt" = "closedAt"
    WHERE "organizationId" = ${organizationId} AND id = ${input.conversationId} AND status = 'closed'
      AND "closedAt" = ${input.closedAt}
      AND ("transcriptClosedAt" IS NULL OR "transcriptClosedAt" < "closedAt")`;
  return n === 1;
}

/** Gives a claimed close transcript back (it could not be queued), so the next pass sends it. */
export async function releaseCloseTranscript(
  db: TDbOrTx,
  organizationId: string,
  input: { conversationId: string; closedAt: Date },
): Promise<void> {
  await db.conversation.updateMany({
    where: { organizationId, id: input.conversationId, transcriptClosedAt: input.closedAt },
    data: { transcriptClosedAt: null },
  });
}

/** Keeps an email the visitor typed to get a transcript, unless they already have one (never overwritten). */
export async function rememberVisitorEmail(
  db: TDbOrTx,
  organizationId: string,
  visitorId: string,
  email: string,
): Promise<void> {
  await db.visitor.updateMany({ where: { organizationId, id: visitorId, email: null }, data: { email } });
}
