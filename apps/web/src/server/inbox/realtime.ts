import {
  createConversationPorts,
  type TConversationPorts,
  type TConversationPortsDeps,
} from '@pocketping/conversations';
import type { TPushVisitorEventPorts } from '@pocketping/webhooks';
import {
  DASHBOARD_NAMESPACE,
  createAiTimer,
  createDashboardPush,
  createRelayEmitter,
  createWidgetPush,
  socketIoKey,
  type TDashboardPush,
  type TWidgetPush,
  redisConfigFromEnv,
} from '@pocketping/jobs';
import { WIDGET_NAMESPACE } from '@pocketping/protocol';
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
    const key = socketIoKey(redisConfigFromEnv(app.env));
    const onError = (err: unknown) =>
      app.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'realtime push failed');
    push = {
      widget: createWidgetPush(createRelayEmitter(app.producer.redis, key, WIDGET_NAMESPACE, onError)),
      dashboard: createDashboardPush(createRelayEmitter(app.producer.redis, key, DASHBOARD_NAMESPACE, onError)),
    };
    cache.set(app, push);
  }
  return push;
}

const ports = new WeakMap<TWebContext, TConversationPorts>();

/** What the web app's conversation ports are built from (also the visitor-side ports of a reply email's link). */
export function conversationPortsDeps(app: TWebContext): TConversationPortsDeps {
  const push = inboxPush(app);
  return {
    db: app.db,
    redis: app.producer.redis,
    redisPrefix: app.env.REDIS_PREFIX,
    widget: push.widget,
    dashboard: push.dashboard,
    producer: app.producer,
    log: app.log,
    // A dashboard reply cancels the conversation's AI timer; "hand back to AI" starts it.
    aiTimer: createAiTimer(app.producer.redis, redisConfigFromEnv(app.env)),
  };
}

/** The conversation actions' ports for the web app: pushes through realtime's relay, the producer's queue. */
export function conversationPorts(app: TWebContext): TConversationPorts {
  let p = ports.get(app);
  if (!p) {
    p = createConversationPorts(conversationPortsDeps(app));
    ports.set(app, p);
  }
  return p;
}

const visitorEvents = new WeakMap<TWebContext, TPushVisitorEventPorts>();

/** pushVisitorEvent's ports for the web app (POST /api/v1/visitors/:id/events): the widget namespace via the relay. */
export function visitorEventPorts(app: TWebContext): TPushVisitorEventPorts {
  let p = visitorEvents.get(app);
  if (!p) {
    const key = socketIoKey(redisConfigFromEnv(app.env));
    const onError = (err: unknown) =>
      app.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'visitor event push failed');
    p = {
      db: app.db,
      redis: app.producer.redis,
      redisPrefix: app.env.REDIS_PREFIX,
      widget: createRelayEmitter(app.producer.redis, key, WIDGET_NAMESPACE, onError),
    };
    visitorEvents.set(app, p);
  }
  return p;
}
