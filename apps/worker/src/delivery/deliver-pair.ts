import { DelayedError, type Job } from 'bullmq';
import { BridgeError, getBridge, isBridgeError, type TBridge, type TBridgeTarget, type TConversationCard, type TThreadRef } from '@pocketping/bridges';
import {
  completeDelivery,
  getBridgeThread,
  getConnection,
  getConversation,
  getMessage,
  getVisitor,
  listPendingDeliveries,
  recordConnectionFailure,
  recordConnectionSuccess,
  recordDeliveryAttempt,
  saveBridgeThread,
  type TConnection,
} from '@pocketping/db';
import { ZDeliverJob } from '@pocketping/jobs';
import { toBridgeTarget, type TWorkerContext } from '../context.js';

const LOCK_RETRY_MS = 150;

/**
 * bridge.deliver — one job per outbox row, but whoever holds the (connection, conversation) lease drains every
 * pending row of that pair in seq order (../shared/design-notes.md §2). A job that finds the lease taken waits
 * and tries again, so it only completes once its own row has been delivered by someone.
 */
export async function processDeliverJob(ctx: TWorkerContext, job: Job, token: string | undefined): Promise<{ delivered: number }> {
  const data = ZDeliverJob.parse(job.data);
  const pairKey = `${data.connectionId}:${data.conversationId}`;
  const lease = await ctx.lock.acquire(pairKey);
  if (!lease) {
    await job.moveToDelayed(Date.now() + LOCK_RETRY_MS, token);
    throw new DelayedError();
  }
  try {
    return await drainPair(ctx, data, job, token, () => ctx.lock.extend(pairKey, lease));
  } finally {
    await ctx.lock.release(pairKey, lease);
  }
}

async function drainPair(
  ctx: TWorkerContext,
  data: { organizationId: string; connectionId: string; conversationId: string },
  job: Job,
  token: string | undefined,
  extendLease: () => Promise<boolean>,
): Promise<{ delivered: number }> {
  const { organizationId, connectionId, conversationId } = data;
  const log = ctx.log.child({ tenantId: organizationId, connectionId, conversationId });
  const connection = await getConnection(ctx.db, organizationId, connectionId);
  if (!connection || connection.status === 'disabled') return { delivered: 0 }; // deleted connections cascade their outbox rows
  const bridge = getBridge(ctx.bridges, connection.kind);
  const target = toBridgeTarget(ctx, connection);

  let delivered = 0;
  for (;;) {
    const pending = await listPendingDeliveries(ctx.db, organizationId, { connectionId, conversationId, limit: 20 });
    if (pending.length === 0) break;
    for (const row of pending) {
      if (!(await extendLease())) throw new Error('lost the pair lease; another worker continues');
      const message = await getMessage(ctx.db, organizationId, row.messageId);
      if (!message) continue;
      try {
        const thread = await ensureThread(ctx, bridge, target, connection, conversationId);
        const outgoing = { messageId: message.id, seq: message.seq, sender: message.sender, authorName: message.authorName, body: message.body, source: message.source };
        let sent: { externalMessageId: string };
        let usedThread: TThreadRef = thread;
        try {
          sent = await bridge.send(target, thread, outgoing);
        } catch (err) {
          if (!(isBridgeError(err) && err.kind === 'thread_gone')) throw err;
          // The topic was deleted on the platform: open a new one and carry on in it.
          log.warn({ bridge: connection.kind }, 'thread gone; recreating');
          usedThread = await createThread(ctx, bridge, target, connection, conversationId);
          sent = await bridge.send(target, usedThread, outgoing);
        }
        await completeDelivery(ctx.db, organizationId, {
          outboxId: row.id, messageId: message.id, connectionId, externalChatId: usedThread.externalChatId, externalMessageId: sent.externalMessageId,
        });
        delivered += 1;
      } catch (err) {
        await onDeliveryError(ctx, { organizationId, connection, outboxId: row.id, err, job, token, log });
      }
    }
  }
  if (delivered > 0) await recordConnectionSuccess(ctx.db, organizationId, connectionId);
  return { delivered };
}

async function onDeliveryError(
  ctx: TWorkerContext,
  input: { organizationId: string; connection: TConnection; outboxId: string; err: unknown; job: Job; token: string | undefined; log: TWorkerContext['log'] },
): Promise<never> {
  const { organizationId, connection, outboxId, err, job, token, log } = input;
  const e = isBridgeError(err) ? err : new BridgeError({ kind: 'transient', platform: connection.kind, method: 'deliver', message: err instanceof Error ? err.message : String(err) });
  await recordDeliveryAttempt(ctx.db, organizationId, outboxId, e.message);
  if (e.kind === 'rate_limited') {
    // Wait exactly as long as the platform asked, without holding a worker slot; order is kept because the
    // same row is first in line when the job comes back.
    log.info({ bridge: connection.kind, retryAfterMs: e.retryAfterMs }, 'rate limited; delaying');
    await job.moveToDelayed(Date.now() + (e.retryAfterMs ?? 1_000), token);
    throw new DelayedError();
  }
  await recordConnectionFailure(ctx.db, organizationId, connection.id, { error: e.message, broken: e.isBreaking });
  log.warn({ bridge: connection.kind, kind: e.kind, method: e.method, platformCode: e.platformCode, err: e.message }, 'delivery failed; will retry');
  throw e;
}

async function ensureThread(ctx: TWorkerContext, bridge: TBridge, target: TBridgeTarget, connection: TConnection, conversationId: string): Promise<TThreadRef> {
  const existing = await getBridgeThread(ctx.db, connection.organizationId, conversationId, connection.id);
  if (existing) return { externalChatId: existing.externalChatId, externalThreadId: existing.externalThreadId };
  return createThread(ctx, bridge, target, connection, conversationId);
}

async function createThread(ctx: TWorkerContext, bridge: TBridge, target: TBridgeTarget, connection: TConnection, conversationId: string): Promise<TThreadRef> {
  const card = await buildCard(ctx, connection.organizationId, conversationId);
  const thread = await bridge.ensureThread(target, card);
  await saveBridgeThread(ctx.db, connection.organizationId, { conversationId, connectionId: connection.id, ...thread });
  return thread;
}

async function buildCard(ctx: TWorkerContext, organizationId: string, conversationId: string): Promise<TConversationCard> {
  const conversation = await getConversation(ctx.db, organizationId, conversationId);
  const visitor = conversation ? await getVisitor(ctx.db, organizationId, conversation.visitorId) : null;
  const meta = (visitor?.metadata ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);
  return {
    conversationId,
    visitorName: visitor?.name ?? null,
    visitorEmail: visitor?.email ?? null,
    pageUrl: str(meta.pageUrl),
    referrer: str(meta.referrer),
    userAgent: str(meta.userAgent),
    location: str(meta.location),
  };
}
