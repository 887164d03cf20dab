import type { Namespace, Socket } from 'socket.io';
import { AppError, type TLogger } from '@pocketping/core';
import { getConversationState, getUserById, type TDb } from '@pocketping/db';
import { DashboardEvents, ZDashboardTyping, createWidgetPush } from '@pocketping/jobs';
import { LIMITS } from '@pocketping/protocol';
import type { TRateLimiter } from '../rate-limit.js';
import { ackError } from '../widget/handle.js';

/**
 * Typing events a dashboard socket may send per user and 10 s. The inbox sends one `true` every 3 s while the
 * operator types and one `false` when they stop, so this only bites a client that does not throttle.
 */
const TYPING_PER_10S = 20;

/**
 * `typing {conversationId, isTyping}` from the inbox's reply box → the widget's `typing` event ("Sarah is typing…")
 * in the conversation's room. The organization is the socket's (its handshake); the conversation must be one of it,
 * else `not_found` like any foreign id. Verified conversations and the operator's name are remembered per socket.
 */
export function handleOperatorTyping(
  /** A dashboard socket past its handshake (register-dashboard.ts): the member and organization it proved. */
  socket: Socket & { data: { organizationId: string; userId: string } },
  deps: { db: TDb; limiter: TRateLimiter; log: TLogger; widget: Namespace },
): void {
  const push = createWidgetPush(deps.widget);
  const known = new Set<string>();
  let authorName: string | null | undefined;
  socket.on(DashboardEvents.typing, (payload: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => undefined;
    const { organizationId, userId } = socket.data;
    void (async () => {
      const parsed = ZDashboardTyping.safeParse(payload);
      if (!parsed.success)
        throw new AppError('bad_request', 'Expected {conversationId, isTyping}', {
          fields: parsed.error.issues.map((i) => i.path.join('.')),
        });
      if (!(await deps.limiter.hit(`dash:typing:${userId}`, TYPING_PER_10S, 10)))
        throw new AppError('rate_limited', 'Too many typing events; slow down');
      const { conversationId, isTyping } = parsed.data;
      if (!known.has(conversationId)) {
        if (!(await getConversationState(deps.db, organizationId, conversationId)))
          throw new AppError('not_found', 'No such conversation');
        known.add(conversationId);
      }
      if (authorName === undefined) {
        // The name a dashboard reply carries (apps/web/src/server/inbox/actions.ts): the user's name, else their email.
        const user = await getUserById(deps.db, userId);
        authorName = (user?.name?.trim() || user?.email || '').slice(0, LIMITS.authorNameMax) || null;
      }
      push.typing(conversationId, { sender: 'operator', authorName, isTyping });
      return { ok: true };
    })().then(reply, (err: unknown) => {
      const answer = ackError(err);
      if (answer.error.code === 'internal') deps.log.warn({ err, tenantId: organizationId }, 'operator typing failed');
      reply(answer);
    });
  });
}
