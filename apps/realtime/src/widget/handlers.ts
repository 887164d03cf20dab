import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import { AppError, toAppError, type TLogger } from '@pocketping/core';
import {
  appendMessage,
  getLatestConversationForVisitor,
  getOrCreateOpenConversation,
  listMessagesAfter,
  type TDb,
} from '@pocketping/db';
import type { TProducer } from '@pocketping/jobs';
import {
  WidgetEvents,
  ZHistoryRequest,
  ZSendMessage,
  ZWidgetSettings,
  type TAckError,
  type THistoryAck,
  type TSendAck,
  type TSessionEvent,
} from '@pocketping/protocol';
import type { TRateLimiter } from '../rate-limit.js';
import type { TWidgetSocketData } from './authenticate.js';

type TWidgetSocket = Socket & { data: TWidgetSocketData };

interface TDeps {
  db: TDb;
  producer: TProducer;
  limiter: TRateLimiter;
  log: TLogger;
  widget: Namespace;
}

export const rooms = {
  visitor: (visitorId: string) => `visitor:${visitorId}`,
  conversation: (conversationId: string) => `conv:${conversationId}`,
};

function ackError(err: unknown): { ok: false; error: TAckError } {
  const e = toAppError(err);
  const code = e.code === 'conflict' || e.code === 'unprocessable' ? 'bad_request' : e.code === 'unavailable' ? 'internal' : e.code;
  return { ok: false, error: { code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } };
}

/**
 * Wraps an event handler: validates the payload with its zod schema, answers through the ack (when the client
 * gave one) with either the result or a documented error code. Nothing a client sends can throw past here.
 */
function handle<S extends z.ZodType, R>(
  socket: TWidgetSocket,
  event: string,
  schema: S,
  log: TLogger,
  fn: (input: z.infer<S>) => Promise<R>,
): void {
  socket.on(event, (payload: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => undefined;
    const parsed = schema.safeParse(payload ?? {});
    if (!parsed.success) {
      reply(ackError(new AppError('bad_request', 'Invalid payload', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })))));
      return;
    }
    fn(parsed.data).then(
      (result) => reply(result),
      (err: unknown) => {
        if (!(err instanceof AppError)) log.error({ err, tenantId: socket.data.organizationId, event }, 'widget handler failed');
        reply(ackError(err));
      },
    );
  });
}

export function registerWidgetHandlers(socket: TWidgetSocket, deps: TDeps): void {
  const { db, producer, limiter, log, widget } = deps;
  const { organizationId, projectId, visitorId } = socket.data;

  void (async () => {
    await socket.join(rooms.visitor(visitorId));
    const conversation = await getLatestConversationForVisitor(db, organizationId, visitorId);
    if (conversation) await socket.join(rooms.conversation(conversation.id));
    const session: TSessionEvent = {
      visitorId,
      ...(socket.data.newVisitorToken ? { visitorToken: socket.data.newVisitorToken } : {}),
      conversationId: conversation?.id ?? null,
      lastSeq: conversation?.lastSeq ?? 0,
      settings: ZWidgetSettings.parse(typeof socket.data.settings === 'object' && socket.data.settings !== null ? socket.data.settings : {}),
    };
    socket.emit(WidgetEvents.session, session);
  })().catch((err: unknown) => {
    log.error({ err, tenantId: organizationId }, 'widget session setup failed');
    socket.disconnect(true);
  });

  handle(socket, WidgetEvents.send, ZSendMessage, log, async (input): Promise<TSendAck> => {
    const allowed = (await limiter.hit(`send:visitor:${visitorId}`, 20, 10)) && (await limiter.hit(`send:project:${projectId}`, 2_000, 60));
    if (!allowed) throw new AppError('rate_limited', 'You are sending messages too fast; wait a few seconds');

    const conversation = await getOrCreateOpenConversation(db, organizationId, { projectId, visitorId });
    const result = await appendMessage(db, organizationId, {
      conversationId: conversation.id,
      sender: 'visitor',
      body: input.body,
      clientId: input.clientId,
      source: 'widget',
    });
    if (!result.duplicate) {
      // After commit. If Redis is down the rows stay pending and the worker's sweeper enqueues them.
      producer.enqueueDeliveries(result.outbox).catch((err: unknown) => log.warn({ err, tenantId: organizationId, conversationId: conversation.id }, 'enqueue failed; the sweeper will deliver'));
      // Every tab of this visitor (on any node) joins the conversation room, then gets the message.
      widget.in(rooms.visitor(visitorId)).socketsJoin(rooms.conversation(conversation.id));
      socket.to(rooms.conversation(conversation.id)).emit(WidgetEvents.message, result.message);
    }
    return { ok: true, message: result.message, duplicate: result.duplicate };
  });

  handle(socket, WidgetEvents.history, ZHistoryRequest, log, async (input): Promise<THistoryAck> => {
    if (!(await limiter.hit(`history:visitor:${visitorId}`, 60, 60))) throw new AppError('rate_limited', 'Too many history requests');
    // The conversation comes from the authenticated visitor, never from the payload: no id a client sends can
    // reach someone else's messages.
    const conversation = await getLatestConversationForVisitor(db, organizationId, visitorId);
    if (!conversation) return { ok: true, messages: [], hasMore: false };
    const page = await listMessagesAfter(db, organizationId, conversation.id, input.afterSeq, input.limit);
    return { ok: true, ...page };
  });
}
