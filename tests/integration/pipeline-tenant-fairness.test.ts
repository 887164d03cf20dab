// Fairness on the one Discord bot every tenant shares: tenant A floods 2,000 messages into its Discord channel;
// tenant B's single message, sent after all of them, still goes out within seconds while A's backlog is mostly
// pending. A per-organization token bucket (postRateLimits scope 'tenant') delays A's jobs past its share, which
// frees the workers — and the bot's REST budget — for everyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMessage, appendWidgetMessage, createSqlPool, type TDb } from '@pocketping/db';
import type { TOutboxRow, TProducer } from '@pocketping/jobs';
import { waitFor, type TFakeDiscord } from '@pocketping/testkit';
import { startDiscordPipelineStack, type TDiscordPipelineStack } from './discord-pipeline-stack.js';

const CONVERSATIONS = 20;
const PER_CONVERSATION = 100;

describe('shared Discord bot: one tenant cannot hold up the others', () => {
  let stack: TDiscordPipelineStack;
  let db: TDb;
  let discord: TFakeDiscord;
  let producer: TProducer;

  async function tenantWithDiscord(name: string) {
    const t = await stack.tenant(name);
    const { connectionId } = await stack.connectDiscord(t, name);
    return { organizationId: t.organizationId, projectId: t.projectId, connectionId };
  }

  const conversationOf = (t: { organizationId: string; projectId: string }) => stack.newConversation(t);

  beforeAll(async () => {
    // Every platform call takes a little while, as on the real one: a drain holds its worker slot meanwhile. The test
    // enqueues itself, in a known order; the sweeper would enqueue rows while they are being written.
    stack = await startDiscordPipelineStack({
      discordLatencyMs: 15,
      concurrency: 4,
      sweepIntervalMs: 600_000,
      maxAttachmentBytes: 1024 * 1024,
      discordTenantPostsPer10s: 20,
    });
    ({ db, discord, producer } = stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('tenant B’s message is posted within seconds while tenant A’s 2,000 are still mostly waiting', async () => {
    const a = await tenantWithDiscord('flooder');
    const b = await tenantWithDiscord('bystander');
    // A's 2,000 messages in 20 conversations, all written before anything is queued.
    const floodRows: TOutboxRow[] = [];
    const sql = createSqlPool(stack.database.url, { poolSize: 8, onError: () => undefined });
    try {
      await Promise.all(
        Array.from({ length: CONVERSATIONS }, async () => {
          const c = await conversationOf(a);
          for (let i = 1; i <= PER_CONVERSATION; i++) {
            const r = await appendWidgetMessage(sql, a.organizationId, {
              conversationId: c.id,
              visitorId: c.visitorId,
              sender: 'visitor',
              visibility: 'public',
              body: `flood ${i}`,
              source: 'widget',
              clientId: `f-${i}`,
            });
            if ('conversationGone' in r) throw new Error('conversation gone');
            floodRows.push(...r.outbox);
          }
        }),
      );
    } finally {
      await sql.end();
    }
    expect(floodRows).toHaveLength(CONVERSATIONS * PER_CONVERSATION);
    const cb = await conversationOf(b);
    const mine = await appendMessage(db, b.organizationId, {
      conversationId: cb.id,
      sender: 'visitor',
      body: 'hello from B',
      source: 'widget',
      clientId: 'b-1',
    });

    // A's jobs first, then B's one: B's job is at the back of the queue.
    await producer.enqueueDeliveries(floodRows);
    await producer.enqueueDeliveries(mine.outbox);

    const thread = await waitFor(
      async () =>
        (await db.bridgeThread.findFirst({ where: { organizationId: b.organizationId, conversationId: cb.id } })) ??
        undefined,
      { what: 'B’s thread', timeoutMs: 60_000 },
    );
    await waitFor(
      () => discord.messages(thread.externalThreadId).some((m) => m.author.bot && m.content === 'hello from B'),
      { what: 'B’s message on Discord', timeoutMs: 60_000 },
    );
    const aPending = await db.outboxEvent.count({ where: { organizationId: a.organizationId, status: 'pending' } });
    // A's share is 20 posts per 10 s: by the time B is served, most of A's backlog must still be waiting (even a
    // minute later A could have posted ~140). Without the bucket B waits behind A's whole queue.
    expect(aPending).toBeGreaterThan(1_000);
  }, 180_000);
});
