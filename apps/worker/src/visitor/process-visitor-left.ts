import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TLogger } from '@pocketping/core';
import { appendMessage, getLastMessageSummary, getOpenConversationForVisitor, type TDb } from '@pocketping/db';
import { ZVisitorLeftJob, getVisitorGeneration, isVisitorConnected, type TProducer } from '@pocketping/jobs';

export const VISITOR_LEFT_NOTE = 'Visitor left';

export interface TVisitorJobDeps {
  db: TDb;
  redis: Redis;
  redisPrefix: string;
  producer: TProducer;
  log: TLogger;
}

/**
 * visitor.left — the visitor's last socket closed a while ago. Void if they connected since (the generation moved
 * on) or a socket is open on a live node; otherwise the open conversation gets an internal "Visitor left" note in
 * its history (the inbox shows it; never the widget). It is NOT posted to the chat apps: a phone should buzz only
 * for what a person must read, and the group's post budget (Telegram: 20 a minute) belongs to real replies.
 * Presence in the chat apps is what /info says ("on the site now" / "not on the site").
 */
export async function processVisitorLeftJob(deps: TVisitorJobDeps, job: Job): Promise<{ outcome: string }> {
  const data = ZVisitorLeftJob.parse(job.data);
  const { organizationId, visitorId } = data;
  if ((await getVisitorGeneration(deps.redis, deps.redisPrefix, visitorId)) !== data.generation)
    return { outcome: 'came back' };
  if (await isVisitorConnected(deps.redis, deps.redisPrefix, visitorId)) return { outcome: 'still connected' };

  const conversation = await getOpenConversationForVisitor(deps.db, organizationId, visitorId);
  if (!conversation) return { outcome: 'no open conversation' };
  // A visitor who comes and goes without writing anything must not fill the thread with notes.
  const last = await getLastMessageSummary(deps.db, organizationId, conversation.id);
  if (!last || (last.sender === 'system' && last.body === VISITOR_LEFT_NOTE))
    return { outcome: 'nothing new since the last note' };

  const result = await appendMessage(deps.db, organizationId, {
    conversationId: conversation.id,
    sender: 'system',
    body: VISITOR_LEFT_NOTE,
    source: 'system',
    visibility: 'internal',
    deliver: false,
    // The job id is per visitor and generation: a retried job finds its own note instead of adding a second one.
    clientId: `vl-${data.generation}-${job.timestamp}`,
  });
  return { outcome: result.duplicate ? 'duplicate' : 'noted' };
}
