import type { Job } from 'bullmq';
import {
  claimCloseTranscript,
  getConversationTranscript,
  listCloseTranscriptCandidates,
  releaseCloseTranscript,
  type TTranscript,
} from '@pocketping/db';
import { ZTranscriptJob } from '@pocketping/jobs';
import { renderMail } from './mail-layout.js';
import type { TNotifyDeps } from './notify-waiting.js';

/** Characters of message text one transcript email carries at most (the mail job's size bounds); older ones go. */
const TRANSCRIPT_TEXT_BUDGET = 40_000;
/** A close older than this when the pass first sees it gets no transcript (a project that just turned it on). */
const CLOSE_LOOKBACK_MS = 60 * 60_000;

const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The transcript email: each message with its sender and time (AI answers marked), files by name only, internal
 * notes never (the repository reads public messages only). The newest messages are kept when it is long.
 */
export function renderTranscriptMail(t: TTranscript, reason: 'request' | 'close') {
  const entries: { who: string; when: string; body: string }[] = [];
  let budget = TRANSCRIPT_TEXT_BUDGET;
  let omitted = t.omitted;
  for (let i = t.messages.length - 1; i >= 0; i--) {
    const m = t.messages[i]!;
    const body = [m.body, ...m.files.map((f) => `[File: ${f}]`)].filter((x) => x !== '').join('\n');
    if (body.length > budget) {
      omitted += i + 1;
      break;
    }
    budget -= body.length;
    const name = m.sender === 'visitor' ? 'You' : (m.authorName ?? t.operatorName);
    entries.unshift({ who: m.sender === 'ai' ? `${name} (AI assistant)` : name, when: when(m.createdAt), body });
  }
  return renderMail({
    subject: `Your conversation with ${t.projectName}`,
    heading: `Your conversation with ${t.projectName}`,
    paragraphs: [
      reason === 'close'
        ? `${t.projectName} closed this conversation. Here is a copy for your records.`
        : 'Here is the copy of the conversation you asked for.',
      ...(omitted > 0 ? [`${omitted} earlier message${omitted === 1 ? ' is' : 's are'} not included.`] : []),
    ],
    transcript: entries,
    footer: {
      reason:
        reason === 'close'
          ? `You get this because you wrote to ${t.projectName} and left your email address.`
          : `You get this because you asked for a copy of your conversation with ${t.projectName}.`,
    },
  });
}

/**
 * notify.transcript — a visitor asked for their conversation by email. The conversation must be this visitor's in
 * this organization (the repository checks), whatever the job says; an empty one sends nothing.
 */
export async function processTranscriptJob(deps: TNotifyDeps, job: Job): Promise<{ outcome: string }> {
  const data = ZTranscriptJob.parse(job.data);
  const t = await getConversationTranscript(deps.db, data.organizationId, data);
  if (!t) return { outcome: 'not found' };
  if (t.messages.length === 0) return { outcome: 'empty' };
  await deps.mail.enqueue(`mail-${job.id ?? `transcript-${data.conversationId}-${Date.now()}`}`, {
    to: data.email,
    ...renderTranscriptMail(t, 'request'),
    kind: 'visitor-transcript',
  });
  return { outcome: 'queued' };
}

/**
 * The transcript-at-close pass (with the visitor-reply pass, every minute): each close of a conversation in a project
 * that emails transcripts at close, whose visitor left an email, is claimed once (`transcriptClosedAt` = that close),
 * then mailed; a failure to queue gives the claim back for the next pass.
 */
export async function runCloseTranscriptPass(
  deps: TNotifyDeps,
  now = new Date(),
): Promise<{ candidates: number; emails: number }> {
  const candidates = await listCloseTranscriptCandidates(deps.db, { lookbackMs: CLOSE_LOOKBACK_MS, limit: 200, now });
  let emails = 0;
  for (const c of candidates) {
    const claim = { conversationId: c.conversationId, closedAt: c.closedAt };
    if (!(await claimCloseTranscript(deps.db, c.organizationId, claim))) continue;
    try {
      const t = await getConversationTranscript(deps.db, c.organizationId, c);
      if (!t || t.messages.length === 0) continue;
      await deps.mail.enqueue(`mail-transcript-close-${c.conversationId}-${c.closedAt.getTime()}`, {
        to: c.email,
        ...renderTranscriptMail(t, 'close'),
        kind: 'visitor-transcript',
      });
      emails += 1;
    } catch (err) {
      await releaseCloseTranscript(deps.db, c.organizationId, claim).catch(() => undefined);
      deps.log.warn(
        {
          tenantId: c.organizationId,
          conversationId: c.conversationId,
          err: err instanceof Error ? err.message : String(err),
        },
        'close transcript not queued',
      );
    }
  }
  return { candidates: candidates.length, emails };
}
