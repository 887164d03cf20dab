import {
  DASHBOARD_NAMESPACE,
  createDashboardPush,
  createRelayEmitter,
  createWidgetPush,
  socketIoKey,
  touchOperatorPresence,
  type TDashboardPush,
  type TWidgetPush,
} from '@pocketping/jobs';
import { WIDGET_NAMESPACE, computePresence, parseProjectSettings } from '@pocketping/protocol';
import type { TWebContext } from '../context';

export interface TInboxPush {
  widget: TWidgetPush;
  dashboard: TDashboardPush;
}

const cache = new WeakMap<TWebContext, TInboxPush>();

/**
 * Pushes from the web app to widgets and dashboards. The web app has no Socket.IO emitter: it publishes through
 * realtime's relay (@pocketping/jobs dashboard-push.ts) on the producer's Redis connection. Best effort like every
 * push — the widget re-syncs by seq, the dashboard reloads on reconnect.
 */
export function inboxPush(app: TWebContext): TInboxPush {
  let push = cache.get(app);
  if (!push) {
    const key = socketIoKey({ url: app.env.REDIS_URL, prefix: app.env.REDIS_PREFIX });
    const onError = (err: unknown) => app.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'realtime push failed');
    push = {
      widget: createWidgetPush(createRelayEmitter(app.producer.redis, key, WIDGET_NAMESPACE, onError)),
      dashboard: createDashboardPush(createRelayEmitter(app.producer.redis, key, DASHBOARD_NAMESPACE, onError)),
    };
    cache.set(app, push);
  }
  return push;
}

/** An operator is active on the project (a reply from the dashboard): presence "online" for its widgets. */
export async function markOperatorActive(app: TWebContext, projectId: string, settings: unknown): Promise<void> {
  const cameOnline = await touchOperatorPresence(app.producer.redis, app.env.REDIS_PREFIX, projectId);
  if (cameOnline) inboxPush(app).widget.presence(projectId, computePresence(parseProjectSettings(settings), true, new Date()));
}
