import { isRatingRequested } from '@pocketping/conversations';
import {
  getConversationState,
  getDeliveredSeq,
  getLatestConversationForVisitor,
  getWidgetAiNotice,
  recordVisitorContext,
} from '@pocketping/db';
import { takeVisitorEvents, widgetRooms } from '@pocketping/jobs';
import { VISITOR_PUSH_EVENT, WidgetEvents, toWidgetSettings, type TSessionEvent } from '@pocketping/protocol';
import type { TRealtimeContext } from '../context.js';
import type { TWidgetSocket } from './handle.js';
import { dashboardPushOf } from '../dashboard/register-dashboard.js';
import { OVER_QUOTA_PRESENCE } from './conversation-start.js';

/**
 * A widget socket's life: rooms and the `session` + `presence` events on connect; on disconnect, the cross-node
 * connection count, and a delayed "visitor left" job when this was the visitor's last socket anywhere.
 */
export function startWidgetSession(socket: TWidgetSocket, ctx: TRealtimeContext): void {
  const { organizationId, projectId, visitorId, settings } = socket.data;
  const log = ctx.log.child({ tenantId: organizationId, projectId, visitorId });

  // Registered first so a socket that closes during setup is still counted out.
  const tracked = ctx.connections.connected(visitorId).catch((err: unknown) => {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, 'connection tracking failed');
    return null;
  });
  // The inbox shows whether the visitor is on the site: tell the organization's dashboards (every connect; the
  // offline below only when the visitor's last socket anywhere closed).
  const visitorOnline = (online: boolean) =>
    dashboardPushOf(ctx.widget.server).event({ type: 'visitor', organizationId, projectId, visitorId, online });
  // The browser's zone and this session's pages first, so the inbox that reloads on "online" shows them.
  const reported = recordVisitorContext(ctx.db, organizationId, visitorId, socket.data.reportedContext).catch(
    (err: unknown) =>
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'visitor context not recorded'),
  );
  void Promise.all([tracked, reported]).then(([t]) => {
    if (t !== null) visitorOnline(true);
  });
  const presence = ctx.presence.add(projectId, settings, organizationId);

  socket.on('disconnect', () => {
    ctx.presence.remove(projectId);
    void (async () => {
      if ((await tracked) === null) return;
      const { generation, connected } = await ctx.connections.disconnected(visitorId);
      if (connected) return;
      visitorOnline(false);
      await ctx.visitorJobs.scheduleLeft({ organizationId, projectId, visitorId, generation }, ctx.visitorLeftDelayMs);
    })().catch((err: unknown) =>
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'visitor-left scheduling failed'),
    );
  });

  void (async () => {
    await socket.join([widgetRooms.visitor(visitorId), widgetRooms.project(projectId)]);
    const conversation = await getLatestConversationForVisitor(ctx.db, organizationId, visitorId);
    const [state, deliveredSeq, aiNotice] = conversation
      ? await Promise.all([
          getConversationState(ctx.db, organizationId, conversation.id),
          getDeliveredSeq(ctx.db, organizationId, conversation.id),
          getWidgetAiNotice(ctx.db, organizationId, conversation.id),
        ])
      : [null, 0, null];
    if (conversation) {
      await socket.join(widgetRooms.conversation(conversation.id));
      socket.data.joinedConversationId ??= conversation.id;
      if (conversation.status === 'open') socket.data.openConversationId ??= conversation.id;
    }
    // The plan's "Powered by PocketPing" (cached billing state in Redis; without an answer the widget shows none).
    const branding = await ctx.limits
      .entitlements(organizationId)
      .then((e) => e.limits.showBranding)
      .catch(() => false);
    const session: TSessionEvent = {
      visitorId,
      ...(socket.data.newVisitorToken ? { visitorToken: socket.data.newVisitorToken } : {}),
      conversationId: conversation?.id ?? null,
      lastSeq: conversation?.lastSeq ?? 0,
      settings: { ...toWidgetSettings(settings), ...(branding ? { branding: true } : {}) },
      identityVerified: socket.data.identityVerified,
      ...(state
        ? {
            conversationStatus: state.status,
            operatorReadSeq: state.operatorLastReadSeq,
            ...(deliveredSeq > 0 ? { deliveredSeq } : {}),
            csatRequested: isRatingRequested(state, settings.csatEnabled),
            ...(aiNotice ? { aiNotice } : {}),
          }
        : {}),
    };
    socket.emit(WidgetEvents.session, session);
    // A reload of a conversation started beyond the plan's quota still shows the team away, and stays so.
    if (state?.status === 'open' && state.overQuota) {
      await socket.join(widgetRooms.overQuota(projectId));
      socket.emit(WidgetEvents.presence, OVER_QUOTA_PRESENCE);
    } else socket.emit(WidgetEvents.presence, await presence);
    // Events the customer's backend sent while the visitor had no widget open (pushVisitorEvent), oldest first.
    for (const e of await takeVisitorEvents(ctx.redis, ctx.redisPrefix, visitorId)) socket.emit(VISITOR_PUSH_EVENT, e);
  })().catch((err: unknown) => {
    log.error({ err }, 'widget session setup failed');
    socket.disconnect(true);
  });
}
