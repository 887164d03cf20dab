// kill -9 of the worker PROCESS in the middle of a delivery burst, twice; a fresh worker takes over. Zero messages
// may be lost and order must hold, on Telegram and on Discord at once.
//
// Duplicates, honestly (docs/design.md §4): a post is recorded (BridgeMessage + outbox row done, one SQL
// statement) right after the platform answers. A kill between "the platform accepted the call" and that statement
// leaves a post the platform has and we do not know about: an AMBIGUOUS post. The window is one platform call (the
// fake takes 3 ms here) plus the response and the one statement, and a pair has at most one call in flight, so a
// kill leaves at most one ambiguous post per conversation being drained. After each kill, before the next worker
// starts, the test counts them exactly (posts the fake has whose outbox row is not done).
// - Telegram has no idempotency key: every ambiguous post is posted again once, so duplicates = ambiguous posts,
//   exactly — no other duplicate may exist.
// - Discord: the same post is sent again with the same `nonce` and `enforce_nonce: true`, and the platform returns
//   the first message instead of a second one: zero duplicates.
// - Slack: the post carries our message id as metadata and the pair's "posting" marker names the row; the next drain
//   reads the thread back and records the post it finds instead of posting again: zero duplicates. The fake Slack
//   answers 3 ms AFTER storing the post, so a kill often lands in exactly that window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL, waitFor } from '@pocketping/testkit';
import { burst, drained, startFaultStack, type TFaultStack } from './fault-stack.js';

const CONVERSATIONS = 10;

describe('fault: worker killed with SIGKILL during delivery', () => {
  let stack: TFaultStack;
  beforeAll(async () => {
    // A little platform latency makes it likely that a kill lands while a call is in flight.
    stack = await startFaultStack({
      redisUrl: TEST_REDIS_URL,
      conversations: CONVERSATIONS,
      telegramLatencyMs: 3,
      discord: true,
      slack: true,
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Per platform: posts the platform received whose outbox row is still pending (the kill left them unrecorded). */
  async function ambiguousPosts(): Promise<{ telegram: string[]; discord: string[]; slack: string[] }> {
    const done = new Set(
      (
        await stack.db.$queryRaw<{ kind: string; body: string }[]>`
        SELECT c.kind::text AS kind, m.body FROM "OutboxEvent" o
        JOIN "Message" m ON m."organizationId" = o."organizationId" AND m.id = o."messageId"
        JOIN "BridgeConnection" c ON c."organizationId" = o."organizationId" AND c.id = o."connectionId"
        WHERE o."organizationId" = ${stack.organizationId} AND o.kind = 'bridge.deliver' AND o.status = 'done'`
      ).map((r) => `${r.kind}|${r.body}`),
    );
    // What the platform HAS (not the calls it saw: a call cut off by the kill may have posted nothing), with
    // coalesced posts split back into their messages.
    const telegram = new Set(
      stack.telegram
        .messages(stack.chatId)
        .filter((m) => m.fromBot && !m.deleted)
        .flatMap((m) => (m.text ?? '').split('\n\n'))
        .filter((t) => t.startsWith('kill ')),
    );
    const d = stack.discord!;
    const discord = new Set(
      d.fake
        .threads(d.channelId)
        .flatMap((t) => d.fake.messages(t.id))
        .filter((m) => m.author.bot)
        .map((m) => m.content.replace(/\\(.)/g, '$1'))
        .filter((t) => t.startsWith('kill ')),
    );
    const s = stack.slack!;
    const slack = new Set(
      s.fake
        .messages(s.channelId)
        .filter((m) => m.botId && m.threadTs !== undefined && !m.deleted)
        .map((m) => m.text)
        .filter((t) => t.startsWith('kill ')),
    );
    return {
      telegram: [...telegram].filter((t) => !done.has(`telegram|${t}`)),
      discord: [...discord].filter((t) => !done.has(`discord|${t}`)),
      slack: [...slack].filter((t) => !done.has(`slack|${t}`)),
    };
  }

  it('loses nothing and keeps order across two kills; Telegram duplicates = posts left unrecorded by a kill, Discord and Slack none', async () => {
    let worker = await stack.startWorker();
    const sending = burst(stack, 40, 'kill');
    const botPosts = () =>
      stack.telegram.callsOf('sendMessage').filter((c) => String(c.params.text ?? '').startsWith('kill ')).length;
    const ambiguous: { telegram: string[]; discord: string[]; slack: string[] }[] = [];
    const workers = [worker];
    for (const threshold of [80, 200]) {
      await waitFor(() => botPosts() >= threshold, { what: `${threshold} posts`, timeoutMs: 60_000 });
      await worker.kill();
      // Let calls already written to a socket before the kill land at the fakes and Postgres finish the dead worker's
      // last statements, then count what the kill left.
      await stack.settleAfterKill();
      ambiguous.push(await ambiguousPosts());
      worker = await stack.startWorker();
      workers.push(worker);
    }
    await sending;
    await drained(stack, 120_000);
    const telegram = await stack.audit();
    const discord = await stack.auditDiscord();
    const slack = await stack.auditSlack();
    const ambiguousSlack = new Set(ambiguous.flatMap((a) => a.slack)).size;
    // Each interrupted Slack post the next drain found and recorded instead of posting again (the worker says so).
    const slackFound = workers
      .map((w) => w.output().split('found the post of an interrupted delivery').length - 1)
      .reduce((a, b) => a + b, 0);
    // A post left ambiguous by the first kill may still be pending at the second (its job was not picked up again
    // in between), so the posts repeated once are the UNION of both counts, not their sum.
    const ambiguousTelegram = new Set(ambiguous.flatMap((a) => a.telegram)).size;
    const ambiguousDiscord = new Set(ambiguous.flatMap((a) => a.discord)).size;
    const d = stack.discord!;
    // Successful post calls minus messages the bot has: calls the nonce answered with an existing message.
    const discordPostCalls = d.fake.calls.filter(
      (c) => c.route === 'POST /channels/:id/messages' && c.status === 200,
    ).length;
    const discordBotMessages = d.fake
      .threads(d.channelId)
      .flatMap((t) => d.fake.messages(t.id))
      .filter((m) => m.author.bot).length;
    // The figures are the point of the test: printed for the report (console.warn is what the lint allows).
    console.warn(
      `[fault-worker-kill] ${JSON.stringify({ kills: 2, ambiguousPerKill: ambiguous.map((a) => ({ telegram: a.telegram.length, discord: a.discord.length, slack: a.slack.length })), ambiguousTelegram, ambiguousDiscord, ambiguousSlack, slackFound, telegram, discord, slack, discordNonceReplays: discordPostCalls - discordBotMessages })}`,
    );
    for (const audit of [telegram, discord, slack]) {
      expect(audit.stored).toBe(400);
      expect(audit.lost).toBe(0);
      expect(audit.outOfOrder).toBe(0);
    }
    // At most one call in flight per conversation, so a kill leaves at most one ambiguous post per conversation.
    for (const a of ambiguous) {
      expect(a.telegram.length).toBeLessThanOrEqual(CONVERSATIONS);
      expect(a.discord.length).toBeLessThanOrEqual(CONVERSATIONS);
      expect(a.slack.length).toBeLessThanOrEqual(CONVERSATIONS);
    }
    // Telegram: exactly the posts a kill left unrecorded are repeated, nothing else.
    expect(telegram.duplicates).toBe(ambiguousTelegram);
    // Discord: the nonce turns each repeat into the first message (each ambiguous post shows up as a replay).
    expect(discord.duplicates).toBe(0);
    // Slack: every post a kill left unrecorded was found by the next drain, none posted twice.
    expect(slack.duplicates).toBe(0);
    expect(slackFound).toBeGreaterThanOrEqual(ambiguousSlack);
    expect(discordPostCalls - discordBotMessages).toBeGreaterThanOrEqual(ambiguousDiscord);
  }, 240_000);
});
