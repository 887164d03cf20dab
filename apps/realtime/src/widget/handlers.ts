import {
  markReadByVisitor,
  postVisitorMessage,
  rateConversation,
  recordVisitorEvent,
  submitPreChat,
} from '@pocketping/conversations';
import { AppError, decryptSecret } from '@pocketping/core';
import {
  applyVisitorIdentity,
  getLatestConversationForVisitor,
  getProjectIdentitySecret,
  getVisitor,
  getVisitorIdentity,
  listPreviousVisitorMessages,
  listVisibleMessagesAfter,
  newId,
  rememberVisitorEmail,
  recordVisitorContext,
} from '@pocketping/db';
import { widgetRooms } from '@pocketping/jobs';
import {
  WidgetEvents,
  ZCsat,
  ZCustomEvent,
  PREVIOUS_HISTORY,
  TRANSCRIPT_LIMITS,
  ZHistoryRequest,
  ZIdentify,
  ZPreChat,
  ZReadUpdate,
  ZWidgetPages,
  ZSendMessage,
  ZTranscriptRequest,
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
import { dashboardPushOf } from '../dashboard/register-dashboard.js';
import { isValidIdentityHash, verifiedFieldsOf, verifyIdentityToken } from './verify-identity.js';

/** How long a visitor "is typing" flag lives without a refresh (the widget re-sends while typing). */
const TYPING_TTL_S = 6;
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

/** "enforce" identity mode: nothing but identify/history/typing/read works before a verified identify(). */
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
  const { db, limiter, log, signer } = ctx;
  const { organizationId, projectId, visitorId } = socket.data;
  const opts = <S>(schema: S, limits: (typeof EVENT_LIMITS)[keyof typeof EVENT_LIMITS]) => ({
    schema,
    limits,
    limiter,
    log,
    inFlight: ctx.inFlight,
  });

  /**
   * Every tab of the visitor follows the conversation it just wrote to. Once per conversation and socket: the join
   * goes to every node through Redis, so not on every message.
   */
  function follow(conversationId: string): void {
    if (socket.data.joinedConversationId === conversationId) return;
    joinConversation(ctx, visitorId, conversationId);
    socket.data.joinedConversationId = conversationId;
  }

  handle(
    socket,
    WidgetEvents.send,
    opts(ZSendMessage, EVENT_LIMITS['message:send']),
    async (input): Promise<TSendAck> => {
      await requireIdentity(ctx, socket);
      // socket.data is the action's session: it remembers the visitor's open conversation between sends.
      const result = await postVisitorMessage(ctx.actions, socket.data, input);
      if (!result.duplicate) follow(result.message.conversationId);
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
      const [page, previous] = await Promise.all([
        listVisibleMessagesAfter(db, organizationId, conversation.id, input.afterSeq, input.limit),
        input.previous
          ? listPreviousVisitorMessages(db, organizationId, {
              visitorId,
              beforeConversationId: conversation.id,
              conversations: PREVIOUS_HISTORY.conversations,
              limit: PREVIOUS_HISTORY.messages,
            })
          : null,
      ]);
      return {
        ok: true,
        messages: page.messages.map((m) => signMessage(signer, organizationId, m)),
        hasMore: page.hasMore,
        throughSeq: page.throughSeq,
        ...(previous ? { previous: previous.map((m) => signMessage(signer, organizationId, m)) } : {}),
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
      // The inbox shows "Visitor is typing…" (the widget throttles: one `true` per 3 s while typing, one `false`).
      dashboardPushOf(ctx.widget.server).event({
        type: 'typing',
        organizationId,
        projectId,
        conversationId: conversation.id,
        isTyping: input.isTyping,
      });
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
    await markReadByVisitor(ctx.actions, socket.data, input);
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
      // A new name or email: the visitor's threads in the chat apps are renamed through the outbox.
      await ctx.actions.enqueueDeliveries(identity.renames);
      return {
        ok: true,
        verified: identity.identityVerified,
        ...(identity.verifiedFields.length > 0 ? { verifiedFields: identity.verifiedFields } : {}),
      };
    },
  );

  handle(socket, WidgetEvents.event, opts(ZCustomEvent, EVENT_LIMITS.event), async (input): Promise<TOkAck> => {
    await requireIdentity(ctx, socket);
    const note = await recordVisitorEvent(ctx.actions, socket.data, input);
    if (!note.duplicate) follow(note.message.conversationId);
    return { ok: true };
  });

  handle(socket, WidgetEvents.preChat, opts(ZPreChat, EVENT_LIMITS.prechat), async (input): Promise<TOkAck> => {
    await requireIdentity(ctx, socket);
    follow((await submitPreChat(ctx.actions, socket.data, input)).conversationId);
    return { ok: true };
  });

  // "Email me this conversation": the visitor's latest conversation (never one named by the payload) to the address
  // they typed, else the one known for them (a typed one is kept when none was). The worker renders and sends it.
  handle(
    socket,
    WidgetEvents.transcript,
    opts(ZTranscriptRequest, EVENT_LIMITS.transcript),
    async (input): Promise<TOkAck> => {
      await requireIdentity(ctx, socket);
      const conversation = await getLatestConversationForVisitor(db, organizationId, visitorId);
      if (!conversation) throw new AppError('not_found', 'There is no conversation to send yet');
      const known = (await getVisitor(db, organizationId, visitorId))?.email ?? null;
      const email = input.email ?? known;
      if (!email)
        throw new AppError('bad_request', 'Which email address should we send it to?', [
          { path: 'email', message: 'required' },
        ]);
      const refused = await limiter.hitAll([
        { key: `transcript:visitor:${visitorId}`, limit: TRANSCRIPT_LIMITS.perVisitorPerHour, windowSec: 3600 },
        { key: `transcript:ip:${socket.data.ip}`, limit: TRANSCRIPT_LIMITS.perAddressPerHour, windowSec: 3600 },
      ]);
      if (refused !== -1)
        throw new AppError(
          'rate_limited',
          `You can ask for ${TRANSCRIPT_LIMITS.perVisitorPerHour} transcripts an hour; try again later`,
          { retryAfterSec: 3600 },
        );
      if (!known) await rememberVisitorEmail(db, organizationId, visitorId, email);
      await ctx.transcripts.request({ organizationId, conversationId: conversation.id, visitorId, email }, newId());
      return { ok: true };
    },
  );

  handle(socket, WidgetEvents.csat, opts(ZCsat, EVENT_LIMITS.csat), async (input): Promise<TOkAck> => {
    follow((await rateConversation(ctx.actions, socket.data, input)).conversationId);
    return { ok: true };
  });

  // An in-page navigation (the loader notices history changes): the session's pages again, stored once each.
  handle(socket, WidgetEvents.pages, opts(ZWidgetPages, EVENT_LIMITS.pages), async (input): Promise<TOkAck> => {
    const { pagesAdded } = await recordVisitorContext(db, organizationId, visitorId, {
      pages: input.pages,
      clientNow: input.now,
    });
    // The visitor's conversation view re-renders on a visitor event: it then lists the new page.
    if (pagesAdded > 0)
      dashboardPushOf(ctx.widget.server).event({ type: 'visitor', organizationId, projectId, visitorId, online: true });
    return { ok: true };
  });
}
