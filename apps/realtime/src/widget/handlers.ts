import { AppError, decryptSecret } from '@pocketping/core';
import {
  appendMessage,
  appendWidgetMessage,
  applyVisitorIdentity,
  getConversationState,
  getLatestConversationForVisitor,
  getProjectIdentitySecret,
  getVisitorIdentity,
  listVisibleMessagesAfter,
  markVisitorRead,
  saveCsat,
  savePreChat,
  type TAppendMessageResult,
  type TAppendWidgetMessageInput,
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
import { openVisitorConversation } from './conversation-start.js';
import { dashboardPushOf } from '../dashboard/register-dashboard.js';
import { isValidIdentityHash, verifiedFieldsOf, verifyIdentityToken } from './verify-identity.js';

/** How long a visitor "is typing" flag lives without a refresh (the widget re-sends while typing). */
const TYPING_TTL_S = 6;
/**
 * Longest note the widget can cause (trigger() data, pre-chat answers, a rating's comment): one post on every app
 * (Discord's 2,000 characters with its label). Uncapped, one call could become dozens of posts on a bot that every
 * tenant shares.
 */
export const WIDGET_NOTE_MAX = 1_500;

function capNote(body: string): string {
  if (body.length <= WIDGET_NOTE_MAX) return body;
  const cut = Array.from(body.slice(0, WIDGET_NOTE_MAX - 12));
  // slice() may have split a surrogate pair: drop the lone half.
  if (cut.length > 0 && /[\uD800-\uDBFF]/.test(cut[cut.length - 1]!)) cut.pop();
  return `${cut.join('')}… (cut)`;
}

/** "enforce" identity mode: nothing but identify/history/typing/read works before a verified identify(). */
/**
 * Every tab of this visitor, on every node, joins the conversation room so operator replies reach them all. The
 * Redis adapter applies a join through a Redis round trip, even on this node; the local join is done at once so a
 * push that follows immediately already reaches this node's tabs.
 */
export function joinConversation(
  ctx: Pick<TRealtimeContext, 'widget'>,
  visitorId: string,
  conversationId: string,
): void {
  ctx.widget.local.in(widgetRooms.visitor(visitorId)).socketsJoin(widgetRooms.conversation(conversationId));
  ctx.widget.in(widgetRooms.visitor(visitorId)).socketsJoin(widgetRooms.conversation(conversationId));
}

export async function requireIdentity(ctx: TRealtimeContext, socket: TWidgetSocket): Promise<void> {
  const data = socket.data;
  if (data.settings.identity !== 'enforce' || data.identityVerified) return;
  // Another tab of this visitor may have identified since this socket connected.
  data.identityVerified =
    (await getVisitorIdentity(ctx.db, data.organizationId, data.visitorId))?.identityVerified ?? false;
  if (!data.identityVerified)
    throw new AppError(
      'unauthorized',
      'This site requires a verified identity: call identify() with a valid hash first',
    );
}

export function registerWidgetHandlers(socket: TWidgetSocket, ctx: TRealtimeContext): void {
  const { db, producer, limiter, log, signer } = ctx;
  const { organizationId, projectId, visitorId } = socket.data;
  const opts = <S>(schema: S, limits: (typeof EVENT_LIMITS)[keyof typeof EVENT_LIMITS]) => ({
    schema,
    limits,
    limiter,
    log,
  });

  /** After commit: hand the outbox rows to the queue and make sure every tab of the visitor follows the conversation. */
  function afterAppend(conversationId: string, result: TAppendMessageResult): void {
    if (result.duplicate) return;
    // The team's open dashboards (every node, through the adapter): the inbox reloads what it shows.
    const dashboard = dashboardPushOf(ctx.widget.server);
    if (result.message.seq === 1)
      dashboard.event({ type: 'conversation', organizationId, projectId, conversationId, change: 'opened' });
    dashboard.event({
      type: 'message',
      organizationId,
      projectId,
      conversationId,
      seq: result.message.seq,
      change: 'created',
      sender: result.message.sender,
    });
    // If Redis is down the rows stay pending and the worker's sweeper enqueues them.
    if (result.outbox.length > 0) {
      producer
        .enqueueDeliveries(result.outbox)
        .catch((err: unknown) =>
          log.warn({ err, tenantId: organizationId, conversationId }, 'enqueue failed; the sweeper will deliver'),
        );
    }
    // Once per conversation and socket: the join goes to every node through Redis, so not on every message.
    if (socket.data.joinedConversationId !== conversationId) {
      joinConversation(ctx, visitorId, conversationId);
      socket.data.joinedConversationId = conversationId;
    }
  }

  /**
   * The visitor's open conversation: cached on the socket once known, created on first use (where the plan's
   * monthly quota is asked — conversation-start.ts).
   */
  async function openConversationId(): Promise<string> {
    if (socket.data.openConversationId) return socket.data.openConversationId;
    const conversation = await openVisitorConversation(ctx, { organizationId, projectId, visitorId });
    socket.data.openConversationId = conversation.id;
    if (conversation.quotaNote) {
      // For the team, in the inbox: why this one is not in their chat apps.
      const note = await appendWidgetMessage(ctx.sql, organizationId, {
        conversationId: conversation.id,
        visitorId,
        sender: 'system',
        visibility: 'internal',
        body: conversation.quotaNote,
        source: 'billing',
      });
      if (!('conversationGone' in note)) afterAppend(conversation.id, note);
    }
    return conversation.id;
  }

  /**
   * Appends to the visitor's open conversation over the plain-SQL path (one statement with the cached conversation).
   * If that conversation was closed meanwhile, the open one is resolved again (a new one is created) and it retries once.
   */
  async function appendToOpen(
    input: Omit<TAppendWidgetMessageInput, 'conversationId' | 'visitorId'>,
  ): Promise<TAppendMessageResult> {
    for (let attempt = 0; ; attempt++) {
      const conversationId = await openConversationId();
      const result = await appendWidgetMessage(ctx.sql, organizationId, { conversationId, visitorId, ...input });
      if (!('conversationGone' in result)) {
        afterAppend(conversationId, result);
        return result;
      }
      socket.data.openConversationId = null;
      if (attempt >= 1) throw new AppError('internal', 'The conversation changed while sending; retry');
    }
  }

  /** An operator-only note (custom events, forms): to the bridges through the outbox, never to the widget. */
  const internalNote = (body: string) =>
    appendToOpen({ sender: 'system', body: capNote(body), source: 'widget', visibility: 'internal' });

  handle(
    socket,
    WidgetEvents.send,
    opts(ZSendMessage, EVENT_LIMITS['message:send']),
    async (input): Promise<TSendAck> => {
      await requireIdentity(ctx, socket);
      const result = await appendToOpen({
        sender: 'visitor',
        visibility: 'public',
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
    },
  );

  handle(
    socket,
    WidgetEvents.history,
    opts(ZHistoryRequest, EVENT_LIMITS.history),
    async (input): Promise<THistoryAck> => {
      // The conversation comes from the authenticated visitor, never from the payload: no id a client sends can
      // reach someone else's messages.
      const conversation = await getLatestConversationForVisitor(db, organizationId, visitorId);
      if (!conversation) return { ok: true, messages: [], hasMore: false, throughSeq: input.afterSeq };
      const page = await listVisibleMessagesAfter(db, organizationId, conversation.id, input.afterSeq, input.limit);
      return {
        ok: true,
        messages: page.messages.map((m) => signMessage(signer, organizationId, m)),
        hasMore: page.hasMore,
        throughSeq: page.throughSeq,
      };
    },
  );

  handle(
    socket,
    WidgetEvents.typingUpdate,
    opts(ZTypingUpdate, EVENT_LIMITS['typing:update']),
    async (input): Promise<TOkAck> => {
      const conversation = await getLatestConversationForVisitor(db, organizationId, visitorId);
      if (!conversation) return { ok: true };
      // A short-lived flag the dashboard (and any bridge that shows typing) reads; it expires by itself, so a
      // tab closed mid-sentence never leaves "typing…" behind.
      const key = `${ctx.redisPrefix}:typing:visitor:${conversation.id}`;
      if (input.isTyping) await ctx.redis.set(key, '1', 'EX', TYPING_TTL_S);
      else await ctx.redis.del(key);
      // The apps' own "typing…" (Telegram's chat action, Discord's indicator) in the conversation's thread, through the
      // worker, at most once per few seconds per conversation. Best effort: a failure never fails the visitor's event.
      if (input.isTyping && conversation.status === 'open') {
        await ctx.visitorJobs
          .typing({ organizationId, conversationId: conversation.id })
          .catch((err: unknown) =>
            log.debug(
              { err: err instanceof Error ? err.message : String(err), tenantId: organizationId },
              'typing signal not queued',
            ),
          );
      }
      return { ok: true };
    },
  );

  handle(socket, WidgetEvents.read, opts(ZReadUpdate, EVENT_LIMITS.read), async (input): Promise<TOkAck> => {
    const conversation = await getLatestConversationForVisitor(db, organizationId, visitorId);
    if (!conversation) throw new AppError('not_found', 'No conversation yet');
    await markVisitorRead(db, organizationId, conversation.id, input.seq);
    return { ok: true };
  });

  handle(
    socket,
    WidgetEvents.identify,
    opts(ZIdentify, EVENT_LIMITS.identify),
    async (input): Promise<TIdentifyAck> => {
      const mode = socket.data.settings.identity;
      let verified = false;
      let verifiedFields: string[] = [];
      let { email, name, traits } = input;
      if (mode !== 'off' && (input.hash || input.token)) {
        const sealed = await getProjectIdentitySecret(db, organizationId, projectId);
        if (!sealed) {
          log.warn(
            { tenantId: organizationId, projectId },
            'identify() with a hash but the project has no identity secret',
          );
          throw new AppError('bad_request', 'Identity verification is not configured for this project');
        }
        const secret = decryptSecret(ctx.keyRing, sealed);
        if (input.token) {
          const checked = verifyIdentityToken(secret, input.token);
          if (!checked.ok) throw new AppError('unauthorized', `Invalid identity token (${checked.reason})`);
          if (checked.claims.sub !== input.id)
            throw new AppError('unauthorized', 'The identity token is for another user id');
          // The signed values are the ones shown; a clear value the token does not cover is kept as the visitor's claim.
          email = checked.claims.email ?? email;
          name = checked.claims.name ?? name;
          traits = checked.claims.traits || traits ? { ...traits, ...checked.claims.traits } : undefined;
          verifiedFields = verifiedFieldsOf(checked.claims);
          verified = true;
        } else {
          // The id-only hash: the id is verified, every shown field stays the visitor's own claim.
          verified = isValidIdentityHash(secret, input.id, input.hash!);
          if (!verified) throw new AppError('unauthorized', 'Invalid identity hash');
        }
      }
      if (mode === 'enforce' && !verified)
        throw new AppError(
          'unauthorized',
          'This site requires a verified identity: identify() needs a valid token or hash',
        );
      const identity = await applyVisitorIdentity(db, organizationId, visitorId, {
        externalId: input.id,
        verified,
        verifiedFields,
        email,
        name,
        traits,
      });
      socket.data.identityVerified = identity.identityVerified;
      return {
        ok: true,
        verified: identity.identityVerified,
        ...(identity.verifiedFields.length > 0 ? { verifiedFields: identity.verifiedFields } : {}),
      };
    },
  );

  handle(socket, WidgetEvents.event, opts(ZCustomEvent, EVENT_LIMITS.event), async (input): Promise<TOkAck> => {
    await requireIdentity(ctx, socket);
    const data =
      input.data && Object.keys(input.data).length > 0
        ? `\n${Object.entries(input.data)
            .map(([k, v]) => `${k}: ${String(v)}`)
            .join('\n')}`
        : '';
    await internalNote(`Event: ${input.name}${data}`);
    return { ok: true };
  });

  handle(socket, WidgetEvents.preChat, opts(ZPreChat, EVENT_LIMITS.prechat), async (input): Promise<TOkAck> => {
    await requireIdentity(ctx, socket);
    if (!input.email && !input.name && !input.fields) throw new AppError('bad_request', 'The pre-chat form is empty');
    const lines = [
      input.name ? `name: ${input.name}` : null,
      input.email ? `email: ${input.email}` : null,
      ...Object.entries(input.fields ?? {}).map(([k, v]) => `${k}: ${v}`),
    ].filter((l): l is string => l !== null);
    // The note first: the answers are then saved on the conversation it landed in (if the cached one was closed
    // meanwhile, that is the new open one).
    const note = await internalNote(`Pre-chat form\n${lines.join('\n')}`);
    await savePreChat(db, organizationId, {
      conversationId: note.message.conversationId,
      visitorId,
      email: input.email,
      name: input.name,
      fields: input.fields,
    });
    return { ok: true };
  });

  handle(socket, WidgetEvents.csat, opts(ZCsat, EVENT_LIMITS.csat), async (input): Promise<TOkAck> => {
    const latest = await getLatestConversationForVisitor(db, organizationId, visitorId);
    if (!latest) throw new AppError('not_found', 'No conversation to rate');
    const state = await getConversationState(db, organizationId, latest.id);
    if (state?.status !== 'closed') throw new AppError('bad_request', 'Only a closed conversation can be rated');
    await saveCsat(db, organizationId, {
      conversationId: latest.id,
      visitorId,
      score: input.score,
      comment: input.comment,
    });
    const rated = await appendMessage(db, organizationId, {
      conversationId: latest.id,
      sender: 'system',
      source: 'widget',
      visibility: 'internal',
      body: capNote(
        `Rating: ${'★'.repeat(input.score)}${'☆'.repeat(5 - input.score)} (${input.score}/5)${input.comment ? `\n${input.comment}` : ''}`,
      ),
    });
    afterAppend(latest.id, rated);
    return { ok: true };
  });
}
