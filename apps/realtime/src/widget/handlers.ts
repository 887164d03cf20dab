import { AppError, decryptSecret } from '@pocketping/core';
import {
  appendMessage,
  applyVisitorIdentity,
  getConversationState,
  getLatestConversationForVisitor,
  getOrCreateOpenConversation,
  getProjectIdentitySecret,
  getVisitorIdentity,
  listVisibleMessagesAfter,
  markVisitorRead,
  saveCsat,
  savePreChat,
  type TAppendMessageInput,
} from '@pocketping/db';
import { widgetRooms } from '@pocketping/jobs';
import {
  WidgetEvents,
  ZCsat,
  ZCustomEvent,
  ZHistoryRequest,
  ZIdentify,
  ZPreChat,
  ZReadUpdate,
  ZSendMessage,
  ZTypingUpdate,
  type THistoryAck,
  type TIdentifyAck,
  type TOkAck,
  type TSendAck,
} from '@pocketping/protocol';
import type { TRealtimeContext } from '../context.js';
import { EVENT_LIMITS } from './event-limits.js';
import { handle, type TWidgetSocket } from './handle.js';
import { signMessage } from './sign-message.js';
import { isValidIdentityHash } from './verify-identity.js';

/** How long a visitor "is typing" flag lives without a refresh (the widget re-sends while typing). */
const TYPING_TTL_S = 6;

/** "enforce" identity mode: nothing but identify/history/typing/read works before a verified identify(). */
/**
 * Every tab of this visitor, on every node, joins the conversation room so operator replies reach them all. The
 * Redis adapter applies a join through a Redis round trip, even on this node; the local join is done at once so a
 * push that follows immediately already reaches this node's tabs.
 */
export function joinConversation(ctx: Pick<TRealtimeContext, 'widget'>, visitorId: string, conversationId: string): void {
  ctx.widget.local.in(widgetRooms.visitor(visitorId)).socketsJoin(widgetRooms.conversation(conversationId));
  ctx.widget.in(widgetRooms.visitor(visitorId)).socketsJoin(widgetRooms.conversation(conversationId));
}

export async function requireIdentity(ctx: TRealtimeContext, socket: TWidgetSocket): Promise<void> {
  const data = socket.data;
  if (data.settings.identity !== 'enforce' || data.identityVerified) return;
  // Another tab of this visitor may have identified since this socket connected.
  data.identityVerified = (await getVisitorIdentity(ctx.db, data.organizationId, data.visitorId))?.identityVerified ?? false;
  if (!data.identityVerified) throw new AppError('unauthorized', 'This site requires a verified identity: call identify() with a valid hash first');
}

export function registerWidgetHandlers(socket: TWidgetSocket, ctx: TRealtimeContext): void {
  const { db, producer, limiter, log, signer } = ctx;
  const { organizationId, projectId, visitorId } = socket.data;
  const opts = <S>(schema: S, limits: (typeof EVENT_LIMITS)[keyof typeof EVENT_LIMITS]) => ({ schema, limits, limiter, log });

  /** Appends a message, hands its outbox rows to the queue, and makes sure every tab of the visitor is in the room. */
  async function append(conversationId: string, input: Omit<TAppendMessageInput, 'conversationId'>) {
    const result = await appendMessage(db, organizationId, { conversationId, ...input });
    if (!result.duplicate) {
      // After commit. If Redis is down the rows stay pending and the worker's sweeper enqueues them.
      producer.enqueueDeliveries(result.outbox).catch((err: unknown) => log.warn({ err, tenantId: organizationId, conversationId }, 'enqueue failed; the sweeper will deliver'));
      joinConversation(ctx, visitorId, conversationId);
    }
    return result;
  }

  /** An operator-only note (custom events, forms, ratings): to the bridges through the outbox, never to the widget. */
  const internalNote = (conversationId: string, body: string) =>
    append(conversationId, { sender: 'system', body, source: 'widget', visibility: 'internal' });

  handle(socket, WidgetEvents.send, opts(ZSendMessage, EVENT_LIMITS['message:send']), async (input): Promise<TSendAck> => {
    await requireIdentity(ctx, socket);
    const conversation = await getOrCreateOpenConversation(db, organizationId, { projectId, visitorId });
    const result = await append(conversation.id, {
      sender: 'visitor',
      body: input.body,
      clientId: input.clientId,
      source: 'widget',
      ...(input.attachmentIds?.length ? { attachmentIds: input.attachmentIds } : {}),
    });
    const message = signMessage(signer, organizationId, result.message);
    // The visitor's own message goes to their other tabs through the visitor room, which they joined at connect:
    // the conversation room may be brand new and its remote joins still in flight.
    if (!result.duplicate) socket.to(widgetRooms.visitor(visitorId)).emit(WidgetEvents.message, message);
    return { ok: true, message, duplicate: result.duplicate };
  });

  handle(socket, WidgetEvents.history, opts(ZHistoryRequest, EVENT_LIMITS.history), async (input): Promise<THistoryAck> => {
    // The conversation comes from the authenticated visitor, never from the payload: no id a client sends can
    // reach someone else's messages.
    const conversation = await getLatestConversationForVisitor(db, organizationId, visitorId);
    if (!conversation) return { ok: true, messages: [], hasMore: false, throughSeq: input.afterSeq };
    const page = await listVisibleMessagesAfter(db, organizationId, conversation.id, input.afterSeq, input.limit);
    return { ok: true, messages: page.messages.map((m) => signMessage(signer, organizationId, m)), hasMore: page.hasMore, throughSeq: page.throughSeq };
  });

  handle(socket, WidgetEvents.typingUpdate, opts(ZTypingUpdate, EVENT_LIMITS['typing:update']), async (input): Promise<TOkAck> => {
    const conversation = await getLatestConversationForVisitor(db, organizationId, visitorId);
    if (!conversation) return { ok: true };
    // A short-lived flag the dashboard (and any bridge that shows typing) reads; it expires by itself, so a
    // tab closed mid-sentence never leaves "typing…" behind.
    const key = `${ctx.redisPrefix}:typing:visitor:${conversation.id}`;
    if (input.isTyping) await ctx.redis.set(key, '1', 'EX', TYPING_TTL_S);
    else await ctx.redis.del(key);
    return { ok: true };
  });

  handle(socket, WidgetEvents.read, opts(ZReadUpdate, EVENT_LIMITS.read), async (input): Promise<TOkAck> => {
    const conversation = await getLatestConversationForVisitor(db, organizationId, visitorId);
    if (!conversation) throw new AppError('not_found', 'No conversation yet');
    await markVisitorRead(db, organizationId, conversation.id, input.seq);
    return { ok: true };
  });

  handle(socket, WidgetEvents.identify, opts(ZIdentify, EVENT_LIMITS.identify), async (input): Promise<TIdentifyAck> => {
    const mode = socket.data.settings.identity;
    let verified = false;
    if (mode !== 'off' && input.hash) {
      const sealed = await getProjectIdentitySecret(db, organizationId, projectId);
      if (!sealed) {
        log.warn({ tenantId: organizationId, projectId }, 'identify() with a hash but the project has no identity secret');
        throw new AppError('bad_request', 'Identity verification is not configured for this project');
      }
      verified = isValidIdentityHash(decryptSecret(ctx.keyRing, sealed), input.id, input.hash);
      if (!verified) throw new AppError('unauthorized', 'Invalid identity hash');
    }
    if (mode === 'enforce' && !verified) throw new AppError('unauthorized', 'This site requires a verified identity: identify() needs a valid hash');
    const identity = await applyVisitorIdentity(db, organizationId, visitorId, {
      externalId: input.id,
      verified,
      email: input.email,
      name: input.name,
      traits: input.traits,
    });
    socket.data.identityVerified = identity.identityVerified;
    return { ok: true, verified: identity.identityVerified };
  });

  handle(socket, WidgetEvents.event, opts(ZCustomEvent, EVENT_LIMITS.event), async (input): Promise<TOkAck> => {
    await requireIdentity(ctx, socket);
    const conversation = await getOrCreateOpenConversation(db, organizationId, { projectId, visitorId });
    const data = input.data && Object.keys(input.data).length > 0 ? `\n${Object.entries(input.data).map(([k, v]) => `${k}: ${String(v)}`).join('\n')}` : '';
    await internalNote(conversation.id, `Event: ${input.name}${data}`);
    return { ok: true };
  });

  handle(socket, WidgetEvents.preChat, opts(ZPreChat, EVENT_LIMITS.prechat), async (input): Promise<TOkAck> => {
    await requireIdentity(ctx, socket);
    if (!input.email && !input.name && !input.fields) throw new AppError('bad_request', 'The pre-chat form is empty');
    const conversation = await getOrCreateOpenConversation(db, organizationId, { projectId, visitorId });
    await savePreChat(db, organizationId, { conversationId: conversation.id, visitorId, email: input.email, name: input.name, fields: input.fields });
    const lines = [
      input.name ? `name: ${input.name}` : null,
      input.email ? `email: ${input.email}` : null,
      ...Object.entries(input.fields ?? {}).map(([k, v]) => `${k}: ${v}`),
    ].filter((l): l is string => l !== null);
    await internalNote(conversation.id, `Pre-chat form\n${lines.join('\n')}`);
    return { ok: true };
  });

  handle(socket, WidgetEvents.csat, opts(ZCsat, EVENT_LIMITS.csat), async (input): Promise<TOkAck> => {
    const latest = await getLatestConversationForVisitor(db, organizationId, visitorId);
    if (!latest) throw new AppError('not_found', 'No conversation to rate');
    const state = await getConversationState(db, organizationId, latest.id);
    if (state?.status !== 'closed') throw new AppError('bad_request', 'Only a closed conversation can be rated');
    await saveCsat(db, organizationId, { conversationId: latest.id, visitorId, score: input.score, comment: input.comment });
    await internalNote(latest.id, `Rating: ${'★'.repeat(input.score)}${'☆'.repeat(5 - input.score)} (${input.score}/5)${input.comment ? `\n${input.comment}` : ''}`);
    return { ok: true };
  });
}
