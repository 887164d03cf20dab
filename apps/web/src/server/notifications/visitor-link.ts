import { AppError, verifyConversationLinkToken, type TConversationLinkClaims } from '@pocketping/core';
import { createVisitorPorts, postVisitorMessage, type TVisitorPorts } from '@pocketping/conversations';
import { createSqlPool, getVisitorConversationView, wantsVisitorFollowUp } from '@pocketping/db';
import { createVisitorJobs, redisConfigFromEnv } from '@pocketping/jobs';
import type { TWebContext } from '../context';
import { conversationPortsDeps } from '../inbox/realtime';
import { hitRateLimit } from '../rate-limit';

/**
 * A visitor's way back into their conversation from a reply email (`/chat/:token`): the signed, expiring token acts as
 * that visitor in that conversation only. They read its public messages and answer; the answer goes through the
 * same conversation action as the widget's (`postVisitorMessage`: stored, chat apps, dashboards, the AI timer and the
 * wait email). A closed conversation takes no answer here (the visitor writes again from the site's widget, where
 * the plan's quota is asked).
 */
export function readConversationLink(app: Pick<TWebContext, 'keyRing'>, token: string): TConversationLinkClaims | null {
  return verifyConversationLinkToken(app.keyRing, token);
}

export async function loadLinkedConversation(app: TWebContext, token: string) {
  const claims = readConversationLink(app, token);
  if (!claims) return null;
  const view = await getVisitorConversationView(app.db, claims.organizationId, {
    conversationId: claims.conversationId,
    visitorId: claims.visitorId,
  });
  return view ? { claims, view } : null;
}

const cache = new WeakMap<TWebContext, TVisitorPorts>();

function linkPorts(app: TWebContext): TVisitorPorts {
  let p = cache.get(app);
  if (!p) {
    const sql = createSqlPool(app.env.DATABASE_URL, {
      poolSize: 2,
      onError: (err) => app.log.warn({ err: err.message }, 'postgres pool error (idle connection dropped)'),
    });
    const visitorJobs = createVisitorJobs(app.producer.redis, redisConfigFromEnv(app.env));
    p = createVisitorPorts({
      ...conversationPortsDeps(app),
      sql,
      visitorMessagePosted: async (event) => {
        if (await wantsVisitorFollowUp(app.db, event.organizationId, event.projectId))
          await visitorJobs.posted({
            organizationId: event.organizationId,
            projectId: event.projectId,
            conversationId: event.conversationId,
            seq: event.seq,
          });
      },
      startConversation: () => {
        throw new AppError('conflict', 'This conversation was closed. Write to us again from our website.');
      },
    });
    cache.set(app, p);
  }
  return p;
}

/** The visitor's answer from the link's page; a repeat of the same clientId stores nothing twice. */
export async function postFromConversationLink(
  app: TWebContext,
  token: string,
  input: { body: string; clientId: string },
) {
  const linked = await loadLinkedConversation(app, token);
  if (!linked) throw new AppError('not_found', 'This link has expired or is not valid.');
  const { claims, view } = linked;
  if (view.status !== 'open')
    throw new AppError('conflict', 'This conversation was closed. Write to us again from our website.');
  await hitRateLimit('conversation-link', claims.conversationId, 30, 600);
  const result = await postVisitorMessage(
    linkPorts(app),
    {
      organizationId: claims.organizationId,
      projectId: view.projectId,
      visitorId: claims.visitorId,
      openConversationId: claims.conversationId,
    },
    { body: input.body, clientId: input.clientId },
  );
  return { seq: result.message.seq, duplicate: result.duplicate };
}
