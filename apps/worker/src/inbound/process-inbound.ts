import { BridgeError, getBridge, parseOperatorCommand, type TInboundAction } from '@pocketping/bridges';
import {
  findConversationIdByThread,
  findMessageByExternalId,
  finishInboundEvent,
  getConnection,
  type TInboundEvent,
} from '@pocketping/db';
import { LIMITS } from '@pocketping/protocol';
import { changeOperatorMessage, postOperatorMessage } from '@pocketping/conversations';
import { toBridgeTarget, type TWorkerContext } from '../context.js';
import { RetryLaterError, type TInboundScope } from './inbound-scope.js';
import { recordFailure } from '../delivery/connection-health.js';
import { runCommand } from './run-command.js';
import { overQuotaNotice, storeInboundFiles } from './store-inbound-files.js';

/** How long an inbound event about an unknown thread is retried before it is ignored (see processInboundJob). */
export const UNKNOWN_THREAD_GRACE_MS = 20_000;

/**
 * One stored platform delivery becomes what it means: an operator message (stored with its seq; the platform
 * message id is unique per connection, so a redelivery finds the first copy), a command, an edit or a delete.
 * Messages and changes are mirrored to the other bridges through the outbox and pushed to the widget. Called by the
 * inbound drain (drain-inbound.ts), one event of a platform thread at a time, in the platform's order.
 */
export async function processInboundEvent(ctx: TWorkerContext, event: TInboundEvent): Promise<{ outcome: string }> {
  const { organizationId } = event;
  const log = ctx.log.child({ tenantId: organizationId, connectionId: event.connectionId, inboundEventId: event.id });
  const finish = async (status: 'done' | 'ignored', outcome: string, error?: string) => {
    await finishInboundEvent(ctx.db, organizationId, event.id, { status, ...(error ? { error } : {}) });
    return { outcome };
  };

  const connection = await getConnection(ctx.db, organizationId, event.connectionId);
  if (!connection) return finish('ignored', 'ignored', 'connection deleted');
  const bridge = getBridge(ctx.bridges, connection.kind);
  const target = toBridgeTarget(ctx, connection);
  const action = bridge.parseInbound(target, event.payload);
  if (action.type === 'ignore') return finish('ignored', `ignored: ${action.reason}`, action.reason);
  if (action.type === 'connection_lost') {
    // The platform itself says the install is gone: broken now (readable reason, owner alerted on the other apps),
    // rather than at the next failed delivery. Queued messages wait for the fix as with any broken connection.
    if (connection.status !== 'disabled') {
      const err = new BridgeError({
        kind: 'unauthorized',
        platform: connection.kind,
        method: 'events',
        message: action.reason,
      });
      await recordFailure(
        ctx,
        { ...connection, consecutiveFailures: 0, lastSuccessAt: null, brokenAlertedAt: null },
        err,
      );
      log.warn(
        { bridge: connection.kind, reason: action.reason },
        'the platform reported the install gone; connection broken',
      );
    }
    return finish('done', 'connection broken');
  }

  const conversationId = await findConversationIdByThread(ctx.db, organizationId, {
    connectionId: connection.id,
    ...action.thread,
  });
  if (!conversationId) {
    // The worker records a thread only after the platform has answered the post that opened it, so a reply written
    // at once can arrive before that row commits. A young event waits for it (the job is retried with backoff);
    // only an event older than the grace period is about a thread of no conversation of ours.
    if (Date.now() - event.createdAt.getTime() < UNKNOWN_THREAD_GRACE_MS)
      throw new RetryLaterError('thread not recorded yet');
    return finish('ignored', 'ignored: unknown thread', 'thread of no known conversation');
  }
  const scope: TInboundScope = {
    organizationId,
    connection,
    bridge,
    target,
    thread: action.thread,
    conversationId,
    log: log.child({ conversationId }),
  };

  const outcome = await dispatch(ctx, scope, action);
  return finish(
    outcome.startsWith('ignored') ? 'ignored' : 'done',
    outcome,
    outcome.startsWith('ignored') ? outcome : undefined,
  );
}

async function dispatch(
  ctx: TWorkerContext,
  scope: TInboundScope,
  action: Exclude<TInboundAction, { type: 'ignore' | 'connection_lost' }>,
): Promise<string> {
  switch (action.type) {
    case 'command':
      return runCommand(ctx, scope, {
        command: action.command,
        authorName: action.authorName,
        externalMessageId: action.externalMessageId,
        prefix: '/',
      });
    case 'message': {
      const command = action.files?.length ? null : parseOperatorCommand(action.text);
      if (command) {
        const prefix = action.text.trim().startsWith('!') ? '!' : '/';
        return runCommand(ctx, scope, {
          command,
          // The platform's display name: the command's trace note shows it, and `/assign me` matches it to a member.
          authorName: await resolveAuthor(scope, action),
          externalMessageId: action.externalMessageId,
          prefix,
        });
      }
      return storeOperatorMessage(ctx, scope, action);
    }
    case 'edit':
    case 'delete':
      return applyChange(ctx, scope, action);
  }
}

async function storeOperatorMessage(
  ctx: TWorkerContext,
  scope: TInboundScope,
  action: Extract<TInboundAction, { type: 'message' }>,
): Promise<string> {
  const { organizationId, connection, conversationId } = scope;
  const files = action.files?.length
    ? await storeInboundFiles(ctx, scope, action.files)
    : { attachmentIds: [], overQuota: [] };
  const { attachmentIds } = files;
  const text =
    files.overQuota.length > 0
      ? [action.text.trim(), overQuotaNotice(files.overQuota)].filter(Boolean).join('\n')
      : action.text.trim();
  const body = text.slice(0, LIMITS.messageBodyMax);
  if (!body && attachmentIds.length === 0) return 'ignored: empty';
  const authorName = await resolveAuthor(scope, action);
  const result = await postOperatorMessage(ctx.conversations, organizationId, {
    conversationId,
    projectId: connection.projectId,
    authorName: authorName.slice(0, LIMITS.authorNameMax),
    body,
    visibility: 'public',
    source: connection.kind,
    inbound: {
      connectionId: connection.id,
      externalChatId: action.thread.externalChatId,
      externalMessageId: action.externalMessageId,
    },
    ...(attachmentIds.length > 0 ? { attachmentIds } : {}),
  });
  return result.duplicate ? 'duplicate' : 'stored';
}

/** The operator's display name: from the event itself, else looked up on the platform (best effort). */
async function resolveAuthor(
  scope: TInboundScope,
  action: Extract<TInboundAction, { type: 'message' }>,
): Promise<string> {
  if (!action.authorId || !scope.bridge.resolveUserName) return action.authorName;
  try {
    return (await scope.bridge.resolveUserName(scope.target, action.authorId)) || action.authorName;
  } catch (err) {
    scope.log.warn(
      { bridge: scope.connection.kind, err: err instanceof Error ? err.message : String(err) },
      'operator name lookup failed; using the fallback',
    );
    return action.authorName;
  }
}

/**
 * An operator edited or deleted their message on the platform: the stored message follows (editedAt / deletedAt,
 * same seq), the widget gets the new version, and the copies on the other bridges are changed through the outbox.
 */
async function applyChange(
  ctx: TWorkerContext,
  scope: TInboundScope,
  action: Extract<TInboundAction, { type: 'edit' | 'delete' }>,
): Promise<string> {
  const { organizationId, connection, conversationId } = scope;
  const found = await findMessageByExternalId(ctx.db, organizationId, {
    connectionId: connection.id,
    externalChatId: action.thread.externalChatId,
    externalMessageId: action.externalMessageId,
  });
  if (!found || found.direction !== 'inbound' || found.message.conversationId !== conversationId)
    return `ignored: ${action.type} of a message we did not store`;
  if (found.message.sender !== 'operator') return `ignored: ${action.type} of a non-operator message`;
  let change: { kind: 'edit'; body: string } | { kind: 'delete' } = { kind: 'delete' };
  if (action.type === 'edit') {
    let text = action.text.trim();
    if (found.visibility === 'internal') {
      // A note was written as "/note text": its edit must still be a note, and the stored body is the text only.
      const command = parseOperatorCommand(text);
      if (command?.name !== 'note') return 'ignored: a note edited into something else';
      text = command.text;
    }
    if (!text) return 'ignored: edit to empty text';
    change = { kind: 'edit', body: text.slice(0, LIMITS.messageBodyMax) };
  }
  const result = await changeOperatorMessage(ctx.conversations, organizationId, {
    conversationId,
    projectId: connection.projectId,
    messageId: found.message.id,
    visibility: found.visibility ?? 'internal',
    change,
    excludeConnectionId: connection.id,
  });
  if (!result) return 'ignored: message gone';
  if (!result.changed) return `duplicate ${action.type}`;
  return action.type === 'edit' ? 'edited' : 'deleted';
}
