import type { Job } from 'bullmq';
import { ZVisitorPostedJob } from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';
import { scheduleAiTimer } from '../ai/schedule-ai-timer.js';

/**
 * visitor.posted — realtime stored a visitor message in a project whose AI is on: start (or move) the conversation's
 * AI timer. The one place a visitor message reaches the AI fallback, with or without a chat app connected. The
 * timer re-reads the conversation, so a repeat or a late job changes nothing (anchored on the message's time).
 */
export async function processVisitorPostedJob(
  ctx: Pick<TWorkerContext, 'db' | 'aiTimer' | 'ai'>,
  job: Job,
): Promise<{ outcome: string }> {
  const data = ZVisitorPostedJob.parse(job.data);
  const outcome = await scheduleAiTimer(ctx, data.organizationId, {
    projectId: data.projectId,
    conversationId: data.conversationId,
  });
  return { outcome };
}
