import type { Job } from 'bullmq';
import { getBridge } from '@pocketping/bridges';
import { appendMessage, findConversationIdByThread, finishInboundEvent, getConnection, getInboundEvent } from '@pocketping/db';
import { LIMITS } from '@pocketping/protocol';
import { ZInboundJob } from '@pocketping/jobs';
import { toBridgeTarget, type TWorkerContext } from '../context.js';

/**
 * bridge.inbound — a stored platform delivery becomes an operator message: stored with its seq (the platform
 * message id is unique per connection, so a redelivery finds the first copy), mirrored to the other bridges
 * through the outbox, pushed to the visitor's sockets.
 */
export async function processInboundJob(ctx: TWorkerContext, job: Job): Promise<{ outcome: string }> {
  const { organizationId, inboundEventId } = ZInboundJob.parse(job.data);
  const event = await getInboundEvent(ctx.db, organizationId, inboundEventId);
  if (!event || event.status !== 'pending') return { outcome: 'already processed' };
  const log = ctx.log.child({ tenantId: organizationId, connectionId: event.connectionId, inboundEventId });

  const connection = await getConnection(ctx.db, organizationId, event.connectionId);
  if (!connection) {
    await finishInboundEvent(ctx.db, organizationId, event.id, { status: 'ignored', error: 'connection deleted' });
    return { outcome: 'ignored' };
  }
  const bridge = getBridge(ctx.bridges, connection.kind);
  const action = bridge.parseInbound(toBridgeTarget(ctx, connection), event.payload);

  if (action.type === 'ignore') {
    await finishInboundEvent(ctx.db, organizationId, event.id, { status: 'ignored', error: action.reason });
    return { outcome: `ignored: ${action.reason}` };
  }
  const conversationId = await findConversationIdByThread(ctx.db, organizationId, { connectionId: connection.id, ...action.thread });
  if (!conversationId) {
    await finishInboundEvent(ctx.db, organizationId, event.id, { status: 'ignored', error: 'thread of no known conversation' });
    return { outcome: 'ignored: unknown thread' };
  }
  if (action.type === 'edit') {
    // Edits are applied by the bridges issue; recorded here so nothing is silently dropped.
    await finishInboundEvent(ctx.db, organizationId, event.id, { status: 'ignored', error: 'edits not handled yet' });
    return { outcome: 'ignored: edit' };
  }

  const body = action.text.trim().slice(0, LIMITS.messageBodyMax);
  if (!body) {
    await finishInboundEvent(ctx.db, organizationId, event.id, { status: 'ignored', error: 'empty text' });
    return { outcome: 'ignored: empty' };
  }
  const result = await appendMessage(ctx.db, organizationId, {
    conversationId,
    sender: 'operator',
    authorName: action.authorName.slice(0, LIMITS.authorNameMax),
    body,
    source: connection.kind,
    inbound: { connectionId: connection.id, externalChatId: action.thread.externalChatId, externalMessageId: action.externalMessageId },
  });
  // Publish even for a duplicate: the first attempt may have died before pushing; the widget dedupes by seq.
  ctx.publisher.messageToConversation(conversationId, result.message);
  if (!result.duplicate) {
    await ctx.producer.enqueueDeliveries(result.outbox).catch((err: unknown) => log.warn({ err }, 'mirror enqueue failed; the sweeper will deliver'));
  }
  await finishInboundEvent(ctx.db, organizationId, event.id, { status: 'done' });
  return { outcome: result.duplicate ? 'duplicate' : 'stored' };
}
