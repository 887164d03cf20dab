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
import { WIDGET_NAMESPACE, type TMessage } from '@pocketping/protocol';
import { createFileUrlSigner, type TFileUrlSigner } from '@pocketping/storage';
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
const signers = new WeakMap<TWebContext, TFileUrlSigner>();

/** Files of a message pushed to the widget get the same signed, expiring URLs realtime and the worker give them. */
function signFiles(app: TWebContext, organizationId: string, message: TMessage): TMessage {
  if (message.attachments.length === 0) return message;
  let signer = signers.get(app);
  if (!signer) {
    signer = createFileUrlSigner(app.keyRing, { baseUrl: app.env.REALTIME_PUBLIC_URL, ttlSeconds: 3600 });
    signers.set(app, signer);
  }
  const s = signer;
  return {
    ...message,
    attachments: message.attachments.map((a) => ({
      ...a,
      url: s.url({ organizationId, conversationId: message.conversationId, attachmentId: a.id }),
    })),
  };
}

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
    signFiles: (organizationId, message) => signFiles(app, organizationId, message),
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
