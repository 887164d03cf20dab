import type { Job } from 'bullmq';
import { ZVisitorPostedJob } from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';
import { scheduleAiTimer } from '../ai/schedule-ai-timer.js';
import { scheduleWaitNotice } from '../notifications/schedule-wait-notice.js';
import { projectSettingsReader } from '../project-settings.js';

/**
 * visitor.posted — realtime stored a visitor message in a project whose AI is on or whose team wants waiting-visitor
 * emails: start (or move) the conversation's AI timer, and schedule the wait's email. The one place a visitor message
 * reaches either, with or without a chat app connected. Both re-read the conversation, so a repeat or a late job
 * changes nothing (anchored on the messages' own times).
 */
export async function processVisitorPostedJob(
  ctx: Pick<TWorkerContext, 'db' | 'aiTimer' | 'ai' | 'notifications'>,
  job: Job,
): Promise<{ outcome: string; wait: string }> {
  const data = ZVisitorPostedJob.parse(job.data);
  const input = { projectId: data.projectId, conversationId: data.conversationId };
  // Both read the project's settings: once for this message.
  const settingsOf = projectSettingsReader(ctx.db);
  const outcome = await scheduleAiTimer(ctx, data.organizationId, input, settingsOf);
  const wait = await scheduleWaitNotice(ctx, data.organizationId, input, settingsOf);
  return { outcome, wait };
}
