import type { Job } from 'bullmq';
import { signUnsubscribeToken, type TKeyRing, type TLogger } from '@pocketping/core';
import {
  claimWaitNotice,
  getWaitNoticeContext,
  getWaitState,
  listNotificationRecipients,
  releaseWaitNotice,
  type TDb,
} from '@pocketping/db';
import { ZConversationWaitingJob, type TMailJobs } from '@pocketping/jobs';
import { renderMail } from './mail-layout.js';
import { notificationLinks } from './links.js';

export interface TNotifyDeps {
  db: TDb;
  mail: TMailJobs;
  keyRing: TKeyRing;
  webPublicUrl: string;
  log: TLogger;
}

const minutes = (ms: number) => Math.max(1, Math.round(ms / 60_000));

/**
 * notify.waiting — a conversation's wait reached the project's delay. If it still waits (open, nobody answered since
 * the wait's first message), the wait is claimed once (WaitNotice) and each member who wants it immediately gets one
 * email (mail job id per notice and user, so a retried job queues nothing twice). Digest members find the notice in
 * their next digest. A failure to queue gives the claim back, so the retry sends what is missing.
 */
export async function processWaitingJob(deps: TNotifyDeps, job: Job): Promise<{ outcome: string; emails?: number }> {
  const data = ZConversationWaitingJob.parse(job.data);
  const { organizationId, conversationId, visitorSeq } = data;
  const state = await getWaitState(deps.db, organizationId, conversationId);
  if (!state || state.status !== 'open') return { outcome: 'closed' };
  if (state.waitStart?.seq !== visitorSeq) return { outcome: 'answered' };
  const context = await getWaitNoticeContext(deps.db, organizationId, { conversationId, visitorSeq });
  if (!context) return { outcome: 'gone' };
  const noticeId = await claimWaitNotice(deps.db, organizationId, { ...data, projectId: state.projectId });
  if (!noticeId) return { outcome: 'already notified' };
  const recipients = (await listNotificationRecipients(deps.db, organizationId, 'waiting')).filter(
    (r) => r.mode === 'immediate',
  );
  const links = notificationLinks(deps.webPublicUrl);
  const waited = minutes(Date.now() - context.waitingSince.getTime());
  try {
    for (const r of recipients) {
      const unsubscribeUrl = links.unsubscribe(signUnsubscribeToken(deps.keyRing, r.userId, 'waiting'));
      const mail = renderMail({
        subject: `${context.visitorLabel} is waiting for an answer (${context.projectName})`,
        heading: `${context.visitorLabel} has waited ${waited} minute${waited === 1 ? '' : 's'} on ${context.projectName}`,
        paragraphs: [
          context.workingChatApps === 0
            ? 'No chat app of this project works right now, so this email is the only alert your team gets.'
            : 'Nobody has answered yet.',
          'They wrote:',
        ],
        quotes: context.excerpt,
        action: {
          label: 'Open the conversation',
          url: links.conversation(organizationId, state.projectId, conversationId),
        },
        footer: {
          reason: `You get this because you are on the ${context.projectName} team.`,
          preferencesUrl: links.preferences,
          unsubscribeUrl,
        },
      });
      await deps.mail.enqueue(`mail-wait-${noticeId}-${r.userId}`, {
        to: r.email,
        ...mail,
        kind: 'waiting',
        unsubscribeUrl: links.oneClickUnsubscribe(signUnsubscribeToken(deps.keyRing, r.userId, 'waiting')),
      });
    }
  } catch (err) {
    await releaseWaitNotice(deps.db, organizationId, noticeId).catch(() => undefined);
    throw err;
  }
  deps.log.info(
    { tenantId: organizationId, conversationId, emails: recipients.length },
    'waiting visitor: team emailed',
  );
  return { outcome: 'notified', emails: recipients.length };
}
