import { signConversationLinkToken } from '@pocketping/core';
import {
  claimVisitorReplyEmail,
  getVisitorConversationView,
  listVisitorReplyCandidates,
  releaseVisitorReplyEmail,
} from '@pocketping/db';
import { isVisitorConnected } from '@pocketping/jobs';
import type { Redis } from 'ioredis';
import { projectSettingsReader } from '../project-settings.js';
import { renderMail } from './mail-layout.js';
import { notificationLinks } from './links.js';
import type { TNotifyDeps } from './notify-waiting.js';

export interface TVisitorReplyOptions {
  /** A reply this recent is left to the widget (a visitor reconnecting reads it there). */
  graceMs: number;
  /** How long the email's link into the conversation works. */
  linkTtlMs: number;
}

const LOOKBACK_MS = 7 * 86_400_000;

/**
 * The visitor-reply pass (every minute): a visitor who left an email and is gone (no widget connected) gets the team's
 * replies they have not read by email — once per burst (`visitorEmailedSeq` claimed first), with a signed, expiring
 * link to a page where they read the conversation and answer from any device. Projects can turn it off
 * (`emailVisitorReplies`).
 */
export async function runVisitorReplyPass(
  deps: TNotifyDeps & { redis: Redis; redisPrefix: string },
  opts: TVisitorReplyOptions,
  now = new Date(),
): Promise<{ candidates: number; emails: number }> {
  const links = notificationLinks(deps.webPublicUrl);
  const candidates = await listVisitorReplyCandidates(deps.db, {
    graceMs: opts.graceMs,
    lookbackMs: LOOKBACK_MS,
    limit: 200,
    now,
  });
  let emails = 0;
  // Candidates of one project share its settings: read once per pass.
  const settingsOf = projectSettingsReader(deps.db);
  for (const c of candidates) {
    const settings = await settingsOf(c.organizationId, c.projectId);
    if (!settings?.emailVisitorReplies) continue;
    if (await isVisitorConnected(deps.redis, deps.redisPrefix, c.visitorId)) continue;
    const view = await getVisitorConversationView(deps.db, c.organizationId, {
      conversationId: c.conversationId,
      visitorId: c.visitorId,
    });
    if (!view) continue;
    const replies = view.messages.filter((m) => m.seq > c.afterSeq && m.seq <= c.upToSeq && m.sender !== 'visitor');
    if (replies.length === 0) continue;
    const claim = { conversationId: c.conversationId, afterSeq: c.afterSeq, upToSeq: c.upToSeq };
    if (!(await claimVisitorReplyEmail(deps.db, c.organizationId, claim))) continue;
    try {
      const token = signConversationLinkToken(deps.keyRing, {
        organizationId: c.organizationId,
        conversationId: c.conversationId,
        visitorId: c.visitorId,
        expiresAt: Math.floor((now.getTime() + opts.linkTtlMs) / 1000),
      });
      const who = replies.at(-1)!.authorName ?? view.operatorName;
      const mail = renderMail({
        subject: `${who} replied to your message (${view.projectName})`,
        heading: `New reply from ${view.projectName}`,
        paragraphs: [`You wrote to ${view.projectName} and left before the answer came. ${who} wrote:`],
        quotes: replies.map((r) => r.body),
        action: { label: 'Read and reply', url: links.visitorConversation(token) },
        footer: {
          reason: `You get this because you wrote to ${view.projectName} and left your email address.`,
        },
      });
      await deps.mail.enqueue(`mail-reply-${c.conversationId}-${c.upToSeq}`, {
        to: c.email,
        ...mail,
        kind: 'visitor-reply',
      });
      emails += 1;
    } catch (err) {
      await releaseVisitorReplyEmail(deps.db, c.organizationId, claim).catch(() => undefined);
      deps.log.warn(
        {
          tenantId: c.organizationId,
          conversationId: c.conversationId,
          err: err instanceof Error ? err.message : String(err),
        },
        'visitor reply email not queued',
      );
    }
  }
  return { candidates: candidates.length, emails };
}
