import { DelayedError, type Job } from 'bullmq';
import {
  BridgeError,
  conversationTitle,
  getBridge,
  isBridgeError,
  wroteAgainNote,
  type TBridge,
  type TBridgeTarget,
  type TConversationCard,
  type TOutgoingMessage,
  type TThreadRef,
} from '@pocketping/bridges';
import {
  completeOutboxRows,
  listMessageMappings,
  listPendingOutbox,
  loadPairDrain,
  markOutboxDead,
  recordDeliveryAttempt,
  claimBridgeThread,
  getPreviousConversationThread,
  markThreadCardPosted,
  saveBridgeThread,
  type TPairContext,
  type TPendingOutboxRow,
} from '@pocketping/db';
import { ZDeliverJob } from '@pocketping/jobs';
import { toBridgeTarget, type TWorkerContext } from '../context.js';
import { buildCard } from './build-card.js';
import { recordFailure, recordSuccess } from './connection-health.js';
import { deliverWithAttachments } from './deliver-attachments.js';

const BATCH = 50;
/**
 * The lease is renewed in the background (keepAlive) and, besides, re-checked before a platform call once this much
 * time has passed since the last check, so a holder that lost it (Redis restarted, a long stall) stops posting.
 */
const EXTEND_EVERY_MS = 2_000;
/** A message the platform refuses this many times (too long, malformed…) is set aside as dead, visibly. */
const REJECTED_ATTEMPTS = 3;
/** The pair's "posting" marker while its thread is being opened (outbox ids are cuids: no clash). */
const THREAD_MARK = 'thread';
/**
 * A rename the platform asks to wait for longer than this is set aside (dead, with the reason) rather than holding
 * the conversation's messages back: Discord allows two thread renames per 10 minutes.
 */
const RENAME_MAX_WAIT_MS = 30_000;

/**
 * bridge.deliver — one job per outbox row, but whoever holds the (connection, conversation) lease drains every
 * pending row of that pair in (seq, created) order: posts, edits and deletes (docs/design.md §2). A job
 * whose row was already delivered ends at once; one that finds the pair being drained flags it and ends too: the
 * holder drains again before it lets go (atomic flag/release in Redis), so the row is never left behind. If the
 * holder dies instead, the row is still pending in Postgres and the sweeper re-enqueues it.
 */
export async function processDeliverJob(
  ctx: TWorkerContext,
  job: Job,
  token: string | undefined,
): Promise<{ delivered: number }> {
  const data = ZDeliverJob.parse(job.data);
  const pairKey = `${data.connectionId}:${data.conversationId}`;
  const lease = await ctx.lock.acquireUnlessDone(pairKey, data.outboxId);
  if (lease === 'done' || lease === null) return { delivered: 0 };
  const stopKeepAlive = ctx.lock.keepAlive(pairKey, lease);
  let released = false;
  try {
    const drain = new PairDrain(ctx, data, job, token, () => ctx.lock.extend(pairKey, lease));
    let delivered = 0;
    for (;;) {
      delivered += await drain.run();
      released = await ctx.lock.releaseIfClean(pairKey, lease);
      if (released) return { delivered };
    }
  } finally {
    stopKeepAlive();
    // On an error (or a delay) the job comes back and drains again; other jobs may drain meanwhile.
    if (!released) await ctx.lock.release(pairKey, lease);
  }
}

/** One drain of one pair, holding its lease. State that lives only as long as the drain (thread, waited flag). */
class PairDrain {
  private readonly pairKey: string;
  private readonly log: TWorkerContext['log'];
  private pair!: TPairContext;
  private bridge!: TBridge;
  private target!: TBridgeTarget;
  private thread: TThreadRef | null = null;
  /** The thread exists, its visitor card does not yet (a card post failed): the card goes before anything else. */
  private cardPending = false;
  private loaded = false;
  /** The pair waited for the target's rate limit: coalesce its backlog of visitor messages into one post. */
  private waited = false;
  /** The interrupted-post check (findUnrecordedPost) ran for this drain. */
  private postingChecked = false;
  private lastExtend = Date.now();
  private leaseGeneration: number;
  private delivered = 0;
  private doneIds: string[] = [];
  /** Highest seq posted in this drain, for the widget's "delivered" receipt. */
  private deliveredSeq = 0;
  private readonly seqOf = new Map<string, number>();

  constructor(
    private readonly ctx: TWorkerContext,
    private readonly data: { organizationId: string; connectionId: string; conversationId: string },
    private readonly job: Job,
    private readonly token: string | undefined,
    private readonly extendLease: () => Promise<boolean>,
  ) {
    this.pairKey = `${data.connectionId}:${data.conversationId}`;
    this.leaseGeneration = ctx.lock.generation();
    this.log = ctx.log.child({
      tenantId: data.organizationId,
      connectionId: data.connectionId,
      conversationId: data.conversationId,
    });
  }

  /** Drains until the pair has no pending row; returns how many messages it delivered. Can be called again. */
  async run(): Promise<number> {
    const { organizationId, connectionId, conversationId } = this.data;
    let rows: TPendingOutboxRow[];
    if (!this.loaded) {
      // The first read of a drain brings the connection, the thread and the first rows in one statement.
      const start = await loadPairDrain(this.ctx.sql, organizationId, { connectionId, conversationId, limit: BATCH });
      if (!start || start.pair.connection.status === 'disabled') return 0; // deleted connections cascade their rows
      if (start.rows.length === 0) return 0;
      this.pair = start.pair;
      this.bridge = getBridge(this.ctx.bridges, start.pair.connection.kind);
      this.target = toBridgeTarget(this.ctx, start.pair.connection);
      this.thread = start.pair.thread;
      this.cardPending = start.pair.thread !== null && start.pair.cardPending;
      this.loaded = true;
      rows = start.rows;
    } else {
      rows = await listPendingOutbox(this.ctx.sql, organizationId, { connectionId, conversationId, limit: BATCH });
      if (rows.length === 0) return 0;
    }
    const before = this.delivered;
    for (const r of rows) this.seqOf.set(r.id, r.seq);
    try {
      while (rows.length > 0) {
        for (let i = 0; i < rows.length;) {
          const row = rows[i] as TPendingOutboxRow;
          try {
            i += await this.processRow(rows, i);
          } catch (err) {
            if (err instanceof DelayedError) throw err;
            await this.onRowError(row, err);
            i += 1; // only reached when the row was set aside as dead
          }
        }
        await this.flushDone();
        // A short batch was everything pending when it was read. A row committed since has its own job, which
        // finds this lease held and flags the pair: releaseIfClean then says "drain again" (no re-read needed here).
        if (rows.length < BATCH) break;
        rows = await listPendingOutbox(this.ctx.sql, organizationId, { connectionId, conversationId, limit: BATCH });
        for (const r of rows) this.seqOf.set(r.id, r.seq);
      }
      if (this.waited) await this.ctx.limiter.clearWait(this.pairKey);
    } finally {
      await this.flushDone();
    }
    if (this.delivered > before) {
      await recordSuccess(this.ctx, this.pair.connection);
      // "Delivered" receipt: everything up to this seq reached the team's app (a watermark; the widget keeps the max).
      this.ctx.signals.delivered({ conversationId, seq: this.deliveredSeq });
    }
    return this.delivered - before;
  }

  /** Handles rows[i] (and, when coalescing, the rows after it); returns how many rows it consumed. */
  private async processRow(rows: readonly TPendingOutboxRow[], i: number): Promise<number> {
    const row = rows[i] as TPendingOutboxRow;
    switch (row.kind) {
      case 'bridge.deliver':
        return this.deliver(rows, i);
      case 'bridge.edit':
      case 'bridge.delete':
        await this.applyChange(row);
        return 1;
      case 'bridge.rename':
        // Every rename reads the visitor as they are now: only the last of a run has anything to do.
        if (rows.slice(i + 1).some((r) => r.kind === 'bridge.rename')) await this.complete([row.id]);
        else await this.renameThread(row);
        return 1;
      default:
        await markOutboxDead(this.ctx.db, this.data.organizationId, row.id, `unknown outbox kind "${row.kind}"`);
        return 1;
    }
  }

  private async deliver(rows: readonly TPendingOutboxRow[], i: number): Promise<number> {
    const row = rows[i] as TPendingOutboxRow;
    // A message deleted before it went out is simply not posted (its delete row, if any, then finds no copy).
    if (!row.messageId || row.body === null || row.deleted) {
      await this.complete([row.id]);
      return 1;
    }
    if (!this.thread) {
      await this.takeToken();
      this.thread = await this.createThread();
    } else if (this.cardPending) {
      await this.takeToken();
      await this.postPendingCard(this.thread);
    }
    await this.takeToken();
    if (row.attachmentCount > 0) {
      await deliverWithAttachments(this.ctx, {
        organizationId: this.data.organizationId,
        connectionId: this.data.connectionId,
        bridge: this.bridge,
        target: this.target,
        row,
        message: toOutgoing(row),
        withThread: (fn) => this.withThread(fn),
        beforeCall: () => this.keepLease(),
        pairKey: this.pairKey,
      });
      await this.complete([row.id]);
      return 1;
    }
    if (this.waited && this.bridge.sendCoalesced) {
      const run: TPendingOutboxRow[] = [];
      for (let j = i; j < rows.length && isCoalescible(rows[j] as TPendingOutboxRow); j++)
        run.push(rows[j] as TPendingOutboxRow);
      if (run.length >= 2) {
        await this.keepLease();
        const sendCoalesced = this.bridge.sendCoalesced.bind(this.bridge);
        const { sent, thread } = await this.withThread((t) => sendCoalesced(this.target, t, run.map(toOutgoing)));
        const taken = run.slice(0, Math.max(1, Math.min(sent.count, run.length)));
        await this.complete(
          taken.map((r) => r.id),
          {
            messageId: taken[0]?.messageId ?? row.messageId,
            externalChatId: thread.externalChatId,
            externalMessageId: sent.externalMessageId,
          },
        );
        this.log.info(
          { bridge: this.pair.connection.kind, coalesced: taken.length },
          'rate-limited backlog coalesced into one post',
        );
        return taken.length;
      }
    }
    await this.keepLease();
    if (this.bridge.findPost) {
      const found = await this.findUnrecordedPost(row);
      if (found) {
        await this.complete([row.id], {
          messageId: row.messageId,
          externalChatId: found.thread.externalChatId,
          externalMessageId: found.externalMessageId,
        });
        return 1;
      }
      await this.ctx.lock.markPosting(this.pairKey, row.id);
    }
    const { sent, thread } = await this.withThread((t) => this.bridge.send(this.target, t, toOutgoing(row)));
    await this.complete([row.id], {
      messageId: row.messageId,
      externalChatId: thread.externalChatId,
      externalMessageId: sent.externalMessageId,
    });
    return 1;
  }

  /**
   * The first message a drain posts may be one whose post a killed worker sent without recording it: the pair's
   * "posting" marker names it. On a platform that can be asked (findPost), look for that post before sending again.
   * Checked once per drain: rows go out in order, so only the first one can have been in flight.
   */
  private async findUnrecordedPost(
    row: TPendingOutboxRow,
  ): Promise<{ thread: TThreadRef; externalMessageId: string } | null> {
    if (this.postingChecked || !this.thread || !this.bridge.findPost) return null;
    this.postingChecked = true;
    const since = await this.ctx.lock.postingSince(this.pairKey, row.id);
    if (since === null) return null;
    let found: { externalMessageId: string } | null = null;
    try {
      found = await this.bridge.findPost(this.target, this.thread, toOutgoing(row), since);
    } catch (err) {
      // Busy or down: try again later (the marker stays). Anything else (an install without the history scope…)
      // must not stop delivery: post, accepting that this one message may show twice.
      if (isBridgeError(err) && (err.kind === 'rate_limited' || err.kind === 'transient')) throw err;
      this.log.warn(
        { bridge: this.pair.connection.kind, err: err instanceof Error ? err.message : String(err) },
        'could not look for the post of an interrupted delivery; posting',
      );
    }
    if (found)
      this.log.warn(
        { bridge: this.pair.connection.kind, outboxId: row.id },
        'found the post of an interrupted delivery; recorded instead of posting again',
      );
    return found ? { thread: this.thread, externalMessageId: found.externalMessageId } : null;
  }

  /** An operator edited or deleted a message elsewhere: change every copy this connection posted of it. */
  private async applyChange(row: TPendingOutboxRow): Promise<void> {
    if (row.messageId && row.body !== null) {
      const copies = (
        await listMessageMappings(this.ctx.db, this.data.organizationId, {
          messageId: row.messageId,
          connectionId: this.data.connectionId,
        })
      ).filter((m) => m.direction === 'outbound');
      for (const copy of copies) {
        await this.keepLease();
        const where = { externalChatId: copy.externalChatId, externalThreadId: this.thread?.externalThreadId ?? '' };
        if (row.kind === 'bridge.delete' || row.deleted)
          await this.bridge.remove(this.target, where, copy.externalMessageId);
        else await this.bridge.edit(this.target, where, copy.externalMessageId, toOutgoing(row));
      }
    }
    await this.complete([row.id]);
  }

  /**
   * The visitor identified: the thread takes the title the card gives now. Nothing to do before the thread exists
   * (it is opened with the current title) or on a platform without renames. A thread gone or a refused rename ends
   * the row (a title is not worth retrying forever); a long platform wait sets it aside visibly (see
   * RENAME_MAX_WAIT_MS); anything else is retried like a delivery.
   */
  private async renameThread(row: TPendingOutboxRow): Promise<void> {
    const rename = this.bridge.renameThread?.bind(this.bridge);
    if (this.thread && rename) {
      await this.keepLease();
      const card = await buildCard(this.ctx.db, this.data.organizationId, this.data.conversationId);
      try {
        await rename(this.target, this.thread, card);
      } catch (err) {
        if (!isBridgeError(err)) throw err;
        if (err.kind === 'rate_limited' && (err.retryAfterMs ?? 0) > RENAME_MAX_WAIT_MS) {
          await markOutboxDead(this.ctx.db, this.data.organizationId, row.id, `rename not applied: ${err.message}`);
          this.log.warn(
            { bridge: this.pair.connection.kind, retryAfterMs: err.retryAfterMs },
            'thread rename set aside',
          );
          return;
        }
        if (err.kind !== 'thread_gone' && err.kind !== 'rejected') throw err;
        this.log.warn({ bridge: this.pair.connection.kind, err: err.message }, 'thread rename refused; left as it is');
      }
    }
    await this.complete([row.id]);
  }

  /** Runs a thread call; if the platform says the thread is gone, opens a new one and runs it there. */
  private async withThread<T>(fn: (thread: TThreadRef) => Promise<T>): Promise<{ sent: T; thread: TThreadRef }> {
    const thread = this.thread ?? (this.thread = await this.createThread());
    try {
      return { sent: await fn(thread), thread };
    } catch (err) {
      if (!(isBridgeError(err) && err.kind === 'thread_gone')) throw err;
      this.log.warn({ bridge: this.pair.connection.kind }, 'thread gone; recreating');
      const fresh = await this.createThread(true);
      this.thread = fresh;
      await this.keepLease();
      return { sent: await fn(fresh), thread: fresh };
    }
  }

  /**
   * Opens the conversation's thread and records it the moment it exists, before anything else can fail: where the
   * card is a post of its own (postCard), it goes after the record, so a refused card (a 429) leaves a recorded
   * thread whose card is simply the next post — never a second thread on retry.
   */
  private async createThread(isReplacement = false): Promise<TThreadRef> {
    await this.keepLease();
    const { organizationId, conversationId, connectionId } = this.data;
    const card = await buildCard(this.ctx.db, organizationId, conversationId);
    const previous = await getPreviousConversationThread(this.ctx.db, organizationId, { conversationId, connectionId });
    if (previous)
      card.previous = {
        title: conversationTitle(card),
        closedAt: previous.closedAt,
        link: previous.thread ? (this.bridge.threadLink?.(this.target, previous.thread) ?? null) : null,
      };
    const cardPending = Boolean(this.bridge.postCard);
    let thread: TThreadRef | null = null;
    const found = await this.findInterruptedThread(card);
    // A found thread may have been opened by another conversation at the same moment (same name): then it is not ours.
    if (
      found &&
      (await claimBridgeThread(this.ctx.db, organizationId, { conversationId, connectionId, ...found, cardPending }))
    )
      thread = found;
    if (!thread) {
      // Where the platform can be asked afterwards, say first that a thread is being opened (see findInterruptedThread).
      if (this.bridge.findThread) await this.ctx.lock.markPosting(this.pairKey, THREAD_MARK);
      thread = await this.bridge.ensureThread(this.target, card);
      await saveBridgeThread(this.ctx.db, organizationId, { conversationId, connectionId, ...thread, cardPending });
    }
    if (this.bridge.findThread) await this.ctx.lock.clearPosting(this.pairKey);
    this.thread = thread;
    this.cardPending = cardPending;
    if (cardPending) await this.postPendingCard(thread, card);
    if (previous?.thread && !isReplacement) await this.noteWroteAgain(previous.thread, thread, card);
    return thread;
  }

  /**
   * The visitor wrote again after their conversation was closed: the old thread says so and links (or names) the
   * new one, so whoever opens the old thread on a phone follows them. Best effort, once per new thread: a failure
   * (old thread deleted, rights lost) is logged and changes nothing else.
   */
  private async noteWroteAgain(oldThread: TThreadRef, newThread: TThreadRef, card: TConversationCard): Promise<void> {
    const reply = this.bridge.replyInThread?.bind(this.bridge);
    if (!reply) return;
    await this.keepLease();
    const link = this.bridge.threadLink?.(this.target, newThread) ?? null;
    try {
      await reply(this.target, oldThread, wroteAgainNote({ title: conversationTitle(card), link }));
    } catch (err) {
      // Not retried (the new thread is recorded already, so this runs once): a 429 here is only logged too.
      this.log.warn(
        { bridge: this.pair.connection.kind, err: err instanceof Error ? err.message : String(err) },
        'could not tell the previous thread that the visitor wrote again',
      );
    }
  }

  /** Posts the visitor card of a thread opened without it (postCard bridges), then records that it is there. */
  private async postPendingCard(thread: TThreadRef, card?: Awaited<ReturnType<typeof buildCard>>): Promise<void> {
    const postCard = this.bridge.postCard?.bind(this.bridge);
    if (postCard) {
      await this.keepLease();
      try {
        await postCard(
          this.target,
          thread,
          card ?? (await buildCard(this.ctx.db, this.data.organizationId, this.data.conversationId)),
        );
      } catch (err) {
        // A card the platform refuses outright must not hold the conversation's messages back: they go without it.
        if (!(isBridgeError(err) && err.kind === 'rejected')) throw err;
        this.log.warn(
          { bridge: this.pair.connection.kind, err: err.message },
          'the platform refused the visitor card; the thread goes on without it',
        );
      }
    }
    await markThreadCardPosted(this.ctx.db, this.data.organizationId, {
      conversationId: this.data.conversationId,
      connectionId: this.data.connectionId,
    });
    this.cardPending = false;
  }

  /**
   * A worker killed while opening this conversation's thread may have left the opening post on the platform,
   * unrecorded: the pair's marker says so. Look for it (findThread) before opening a second one. Same rules as
   * findUnrecordedPost: busy/down → retry later, any other refusal → open a new thread.
   */
  private async findInterruptedThread(card: Awaited<ReturnType<typeof buildCard>>): Promise<TThreadRef | null> {
    if (!this.bridge.findThread) return null;
    const since = await this.ctx.lock.postingSince(this.pairKey, THREAD_MARK);
    if (since === null) return null;
    try {
      const found = await this.bridge.findThread(this.target, card, since);
      if (found)
        this.log.warn(
          { bridge: this.pair.connection.kind },
          'found the thread of an interrupted delivery; recorded instead of opening another',
        );
      return found;
    } catch (err) {
      if (isBridgeError(err) && (err.kind === 'rate_limited' || err.kind === 'transient')) throw err;
      this.log.warn(
        { bridge: this.pair.connection.kind, err: err instanceof Error ? err.message : String(err) },
        'could not look for the thread of an interrupted delivery; opening one',
      );
      return null;
    }
  }

  /** Checks the target's token buckets; an empty one moves this job to delayed for exactly the refill time. */
  private async takeToken(): Promise<void> {
    for (const rule of this.bridge.postRateLimits ?? []) {
      const { kind, targetId } = this.pair.connection;
      // 'tenant': one bucket per organization on an app every tenant shares (one tenant's flood waits, not the others).
      const bucket =
        rule.scope === 'target'
          ? `${kind}:${targetId}`
          : rule.scope === 'tenant'
            ? `${kind}:org:${this.data.organizationId}`
            : `${kind}:${this.pairKey}`;
      const r = await this.ctx.limiter.take(bucket, this.pairKey, rule);
      if (r.ok) {
        if (r.pairWaited) this.waited = true;
        continue;
      }
      // A tenant over its share of a shared app has many jobs waiting: spread their returns over the bucket's window
      // rather than waking them all for the next single token.
      const waitMs = rule.scope === 'tenant' ? r.waitMs + Math.floor(Math.random() * rule.perMs) : r.waitMs;
      this.log.debug({ bridge: kind, scope: rule.scope, waitMs }, 'post rate limit; delaying');
      await this.flushDone();
      await this.job.moveToDelayed(Date.now() + waitMs, this.token);
      throw new DelayedError();
    }
  }

  /**
   * Before each platform call: re-checks the lease when it is due, and always after Redis reconnected (a restarted
   * Redis has forgotten the lease, and another worker may already be draining this pair).
   */
  private async keepLease(): Promise<void> {
    if (Date.now() - this.lastExtend < EXTEND_EVERY_MS && this.ctx.lock.generation() === this.leaseGeneration) return;
    if (!(await this.extendLease())) throw new Error('lost the pair lease; another worker continues');
    this.lastExtend = Date.now();
    this.leaseGeneration = this.ctx.lock.generation();
  }

  private async complete(
    ids: string[],
    mapping?: { messageId: string; externalChatId: string; externalMessageId: string },
  ): Promise<void> {
    await completeOutboxRows(this.ctx.sql, this.data.organizationId, {
      outboxIds: ids,
      ...(mapping ? { mapping: { ...mapping, connectionId: this.data.connectionId } } : {}),
    });
    this.doneIds.push(...ids);
    if (mapping) {
      this.delivered += ids.length;
      this.deliveredSeq = Math.max(this.deliveredSeq, ...ids.map((id) => this.seqOf.get(id) ?? 0));
    }
  }

  private async flushDone(): Promise<void> {
    if (this.doneIds.length === 0) return;
    const ids = this.doneIds;
    this.doneIds = [];
    await this.ctx.lock.markDone(`${this.data.connectionId}:${this.data.conversationId}`, ids).catch(() => undefined); // a hint only: the database stays the truth
  }

  /**
   * Rate limited → wait exactly as asked (the same row stays first in line: order kept). Rejected again and again
   * → set aside as dead, visibly, so one bad message cannot block the conversation. Anything else → counted on the
   * connection (breaking kinds turn it broken and alert the owner) and retried with capped backoff.
   */
  private async onRowError(row: TPendingOutboxRow, err: unknown): Promise<void> {
    const { organizationId } = this.data;
    const connection = this.pair.connection;
    const e = isBridgeError(err)
      ? err
      : new BridgeError({
          kind: 'transient',
          platform: connection.kind,
          method: 'deliver',
          message: err instanceof Error ? err.message : String(err),
        });
    await recordDeliveryAttempt(this.ctx.db, organizationId, row.id, e.message);
    if (e.kind === 'rate_limited') {
      const waitMs = e.retryAfterMs ?? 1_000;
      for (const rule of this.bridge.postRateLimits ?? []) {
        if (rule.scope === 'target')
          await this.ctx.limiter.block(`${connection.kind}:${connection.targetId}`, this.pairKey, rule, waitMs);
      }
      this.log.info({ bridge: connection.kind, retryAfterMs: waitMs }, 'rate limited by the platform; delaying');
      await this.flushDone();
      await this.job.moveToDelayed(Date.now() + waitMs, this.token);
      throw new DelayedError();
    }
    if (e.kind === 'rejected' && row.attempts + 1 >= REJECTED_ATTEMPTS) {
      await markOutboxDead(this.ctx.db, organizationId, row.id, e.message);
      this.log.error(
        { bridge: connection.kind, outboxId: row.id, kind: row.kind, err: e.message },
        'platform keeps rejecting this message; set aside as dead',
      );
      if (row.kind === 'bridge.deliver' && this.thread && this.bridge.replyInThread) {
        await this.bridge
          .replyInThread(this.target, this.thread, `PocketPing could not post message #${row.seq} here: ${e.message}`)
          .catch(() => undefined);
      }
      return;
    }
    await recordFailure(this.ctx, connection, e);
    this.log.warn(
      { bridge: connection.kind, kind: e.kind, method: e.method, platformCode: e.platformCode, err: e.message },
      'delivery failed; will retry',
    );
    throw e;
  }
}

function isCoalescible(r: TPendingOutboxRow): boolean {
  // Only visitor text: operator/AI copies stay one post each so their edits and deletes can follow them.
  return (
    r.kind === 'bridge.deliver' &&
    r.sender === 'visitor' &&
    r.visibility !== 'internal' &&
    !r.deleted &&
    r.body !== null &&
    r.attachmentCount === 0
  );
}

function toOutgoing(r: TPendingOutboxRow): TOutgoingMessage {
  return {
    messageId: r.messageId ?? '',
    seq: r.seq,
    sender: r.sender ?? 'system',
    authorName: r.authorName,
    body: r.body ?? '',
    source: r.source ?? 'system',
    visibility: r.visibility ?? 'public',
  };
}
