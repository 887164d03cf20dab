import { getOrCreateOpenConversationSql, type TSql } from '@pocketping/db';
import { PLANS, type TLimits } from '@pocketping/billing';
import { WidgetEvents, type TPresenceEvent } from '@pocketping/protocol';
import { widgetRooms } from '@pocketping/jobs';
import type { Namespace } from 'socket.io';
import type { TLogger } from '@pocketping/core';

/** What the start of a conversation needs: the plan's monthly quota (Redis only), the SQL pool, the widget namespace. */
export interface TConversationStartDeps {
  sql: TSql;
  limits: Pick<TLimits, 'admitConversation'>;
  widget: Namespace;
  log: TLogger;
}

/** What the tabs of a conversation beyond the quota are shown, now and after a reload: the team away. */
export const OVER_QUOTA_PRESENCE: TPresenceEvent = { status: 'away', replyTimeMinutes: null };

/**
 * The visitor's open conversation, created if there is none — the one place where the plan's monthly conversation
 * quota is asked (one Redis round trip; nothing is asked per message). A conversation beyond the quota is still
 * created and kept (the message is never lost, the team sees it in the inbox with a note) but is marked
 * `overQuotaAt`, so nothing of it is sent to the chat apps, and the visitor's tabs are told the team is away, which
 * shows the leave-your-email form. A visitor who already has an open conversation is never asked anything.
 */
export async function openVisitorConversation(
  deps: TConversationStartDeps,
  scope: { organizationId: string; projectId: string; visitorId: string },
): Promise<{ id: string; created: boolean; overQuota: boolean; quotaNote: string | null }> {
  const admission = await deps.limits.admitConversation(scope.organizationId);
  let conversation;
  try {
    conversation = await getOrCreateOpenConversationSql(deps.sql, scope.organizationId, {
      projectId: scope.projectId,
      visitorId: scope.visitorId,
      overQuota: admission.overQuota,
    });
  } catch (err) {
    await admission.settle(false).catch(() => undefined);
    throw err;
  }
  // Another tab had opened one meanwhile: that one continues and the count is given back.
  await admission.settle(conversation.created);
  // A new conversation within the quota: tabs left in the over-quota room by an earlier one follow presence again.
  if (conversation.created && !conversation.overQuota)
    deps.widget.in(widgetRooms.visitor(scope.visitorId)).socketsLeave(widgetRooms.overQuota(scope.projectId));
  if (!conversation.created || !conversation.overQuota)
    return { id: conversation.id, created: conversation.created, overQuota: conversation.overQuota, quotaNote: null };

  deps.log.info(
    { tenantId: scope.organizationId, conversationId: conversation.id, used: admission.used, max: admission.max },
    'conversation started beyond the monthly quota',
  );
  const tabs = deps.widget.in(widgetRooms.visitor(scope.visitorId));
  tabs.socketsJoin(widgetRooms.overQuota(scope.projectId));
  tabs.emit(WidgetEvents.presence, OVER_QUOTA_PRESENCE);
  const plan = PLANS[admission.plan].name;
  const quotaNote =
    `This conversation started beyond the ${plan} plan's ${admission.max ?? 0} conversations this month, so it ` +
    'was not sent to your chat apps and the visitor was asked for their email. Answer it here, or upgrade your ' +
    'plan so the next ones reach your team.';
  return { id: conversation.id, created: true, overQuota: true, quotaNote };
}
