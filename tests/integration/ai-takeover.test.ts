// The AI fallback end to end: real Postgres and Redis, the worker in-process with two Telegram connections (fake
// Telegram), and the fake OpenAI behind the official SDK. What is proven: the timer fires after the delay and a newer
// visitor message moves it; a human reply (dashboard or a chat app) cancels it and turns AI off; two workers and a
// duplicated job never answer one visitor message twice; handoff notifies every chat app and stops the AI; the
// budget stops it with one owner alert; a provider outage ends with the fallback; an organization's own key is used.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { encryptSecret } from '@pocketping/core';
import { postOperatorMessage } from '@pocketping/conversations';
import { getWidgetAiNotice, saveProjectAiSettings, setOrganizationAiKey, type Prisma } from '@pocketping/db';
import { JOBS, QUEUES, ZAiTakeoverJob, aiTakeoverJobId, bullPrefix, createRedis } from '@pocketping/jobs';
import type { TAiStreamEvent, TMessage } from '@pocketping/protocol';
import { startFakeOpenAi, waitFor, type TFakeOpenAi } from '@pocketping/testkit';
import { startHarness, type THarness } from './pipeline-harness.js';

let h: THarness;
let fake: TFakeOpenAi;
let queue: Queue;
const streams: TAiStreamEvent[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAi();
  h = await startHarness({
    ai: { baseURL: fake.baseUrl, apiKey: fake.apiKey, streamThrottleMs: 0, requestTimeoutMs: 5_000 },
  });
  const widget = h.worker.ctx.conversations.widget;
  widget.aiStream = (e) => void streams.push(e);
  queue = new Queue(QUEUES.ai, { connection: createRedis(h.redis.url, 'producer'), prefix: bullPrefix(h.redis) });
}, 120_000);

afterAll(async () => {
  await queue?.close();
  await h?.close();
  await fake?.close();
});

beforeEach(async () => {
  fake.reset();
  streams.length = 0;
  await h.db.aiUsage.deleteMany({ where: { organizationId: h.organizationId } });
  await h.db.projectAi.deleteMany({ where: { organizationId: h.organizationId } });
});

const configure = (s: Prisma.InputJsonObject) =>
  saveProjectAiSettings(h.db, h.organizationId, h.projectId, {
    enabled: true,
    takeoverDelaySeconds: 1,
    assistantName: 'Pip',
    ...s,
  });

const aiMessages = (conversationId: string) =>
  h.db.message.findMany({ where: { organizationId: h.organizationId, conversationId, sender: 'ai' } });
const notes = (conversationId: string) =>
  h.db.message.findMany({
    where: { organizationId: h.organizationId, conversationId, source: 'ai', visibility: 'internal' },
    orderBy: { seq: 'asc' },
  });
const aiState = async (conversationId: string) =>
  (await h.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).aiState;
const pushedAi = (conversationId: string): TMessage[] =>
  h.pushed.messages
    .filter((p) => p.conversationId === conversationId && p.message.sender === 'ai')
    .map((p) => p.message);

/** Waits until the AI's message is stored, and returns it with the time it took from `since`. */
async function answered(conversationId: string, since: number) {
  const [m] = await waitFor(
    async () => {
      const r = await aiMessages(conversationId);
      return r.length > 0 ? r : undefined;
    },
    { what: 'AI answer', timeoutMs: 15_000, intervalMs: 25 },
  );
  return { message: m!, afterMs: m!.createdAt.getTime() - since };
}

describe('AI takeover', () => {
  it('answers once the delay passed, streams to the widget and mirrors "🤖 Pip: …" to every chat app', async () => {
    await configure({});
    fake.enqueue({
      text: 'We open at 9am.',
      chunkChars: 3,
      chunkDelayMs: 5,
      usage: { prompt_tokens: 40, completion_tokens: 6 },
    });
    const c = await h.newConversation();
    const sent = await h.visitorSays(c.id, 'When do you open?');
    const { message, afterMs } = await answered(c.id, new Date(sent.message.createdAt).getTime());
    expect(afterMs).toBeGreaterThanOrEqual(1_000);
    // Generous on a shared CI machine; bench/ai-timer.ts measures the accuracy.
    expect(afterMs).toBeLessThan(4_000);
    expect(message).toMatchObject({ body: 'We open at 9am.', authorName: 'Pip', source: 'ai', visibility: 'public' });

    // Streamed as one growing bubble, then "done", then the stored message pushed.
    const mine = streams.filter((s) => s.conversationId === c.id);
    const partial = mine.filter((s) => s.state === 'streaming').map((s) => s.text);
    expect(partial.length).toBeGreaterThan(2);
    for (let i = 1; i < partial.length; i++) expect(partial[i]!.startsWith(partial[i - 1]!.trimEnd())).toBe(true);
    expect(mine.at(-1)).toMatchObject({ state: 'done', text: 'We open at 9am.', authorName: 'Pip' });
    await waitFor(() => pushedAi(c.id).length > 0, { what: 'AI message pushed' });
    expect(pushedAi(c.id).map((m) => m.body)).toEqual(['We open at 9am.']);

    // Both Telegram groups get the final text once (never per token).
    for (const side of [h.a, h.b]) {
      const topic = await h.topicOf(side, c.id);
      await waitFor(() => h.botPosts(side, topic).some((p) => p.text?.includes('🤖 Pip')), { what: 'mirror' });
      expect(h.botPosts(side, topic).filter((p) => p.text?.includes('We open at 9am.'))).toHaveLength(1);
    }
    // Metered: tokens, model, a cost estimate, one reply.
    const usage = await h.db.aiUsage.findMany({ where: { organizationId: h.organizationId } });
    expect(usage).toMatchObject([
      {
        kind: 'completion',
        model: 'gpt-4o-mini',
        promptTokens: 40,
        completionTokens: 6,
        replies: 1,
        conversationId: c.id,
      },
    ]);
    expect(usage[0]!.costMicroUsd).toBeGreaterThan(0);
    expect(await aiState(c.id)).toBe('active');
  });

  it('a newer visitor message moves the timer: one answer, to the newest message, a delay after it', async () => {
    await configure({ takeoverDelaySeconds: 2 });
    fake.enqueue({ text: 'Answer to both.' });
    const c = await h.newConversation();
    const first = await h.visitorSays(c.id, 'Hello');
    await waitFor(async () => (await queue.getJob(aiTakeoverJobId(c.id)))?.id, { what: 'timer set' });
    // Well before the first message's timer is due, the visitor writes again.
    const firstAt = new Date(first.message.createdAt).getTime();
    await waitFor(() => Date.now() - firstAt > 800, { what: 'part of the delay', intervalMs: 20 });
    const second = await h.visitorSays(c.id, 'Are you there?');
    const { afterMs } = await answered(c.id, new Date(second.message.createdAt).getTime());
    expect(afterMs).toBeGreaterThanOrEqual(2_000);
    const replies = await waitFor(
      async () => {
        const r = await h.db.aiReply.findMany({ where: { organizationId: h.organizationId, conversationId: c.id } });
        return r.every((x) => x.status !== 'claimed') ? r : undefined;
      },
      { what: 'claim finished' },
    );
    expect(replies).toMatchObject([{ visitorSeq: second.message.seq, status: 'answered' }]);
    expect(fake.completions()).toHaveLength(1);
    // The model saw both visitor messages.
    expect(JSON.stringify(fake.completions()[0]!.messages)).toContain('Are you there?');
  });

  it('a human reply from the dashboard or from Telegram cancels the timer at once and turns AI off', async () => {
    // Long enough for a Telegram reply to go through the inbound path before the timer is due.
    await configure({ takeoverDelaySeconds: 5 });
    fake.enqueue({ text: 'sentinel answer' });
    const viaDashboard = await h.newConversation();
    const viaTelegram = await h.newConversation();
    const sentinel = await h.newConversation();
    await h.visitorSays(viaDashboard.id, 'Help 1');
    await h.visitorSays(viaTelegram.id, 'Help 2');
    await waitFor(async () => (await queue.getJob(aiTakeoverJobId(viaDashboard.id)))?.id, { what: 'timer 1' });
    await waitFor(async () => (await queue.getJob(aiTakeoverJobId(viaTelegram.id)))?.id, { what: 'timer 2' });

    await postOperatorMessage(h.worker.ctx.conversations, h.organizationId, {
      conversationId: viaDashboard.id,
      projectId: h.projectId,
      authorName: 'Ann',
      body: 'I am here',
      visibility: 'public',
      source: 'web',
    });
    expect(await queue.getJob(aiTakeoverJobId(viaDashboard.id))).toBeUndefined();
    expect(await aiState(viaDashboard.id)).toBe('off');

    const topic = await h.topicOf(h.a, viaTelegram.id);
    await h.operatorWrites(h.a, topic, { text: 'Hi, Bob here' });
    expect(await queue.getJob(aiTakeoverJobId(viaTelegram.id))).toBeUndefined();
    expect(await aiState(viaTelegram.id)).toBe('off');

    // A conversation started now is answered after the delay: by then the cancelled timers would have fired too.
    await h.visitorSays(sentinel.id, 'Anyone?');
    await answered(sentinel.id, Date.now());
    expect(await aiMessages(viaDashboard.id)).toHaveLength(0);
    expect(await aiMessages(viaTelegram.id)).toHaveLength(0);
    expect(fake.completions()).toHaveLength(1);

    // The visitor writes again: AI stays off until handed back.
    await h.visitorSays(viaTelegram.id, 'Still there?');
    const s2 = await h.newConversation();
    fake.enqueue({ text: 'second sentinel' });
    await h.visitorSays(s2.id, 'Anyone?');
    await answered(s2.id, Date.now());
    expect(await aiMessages(viaTelegram.id)).toHaveLength(0);
  });

  it('two workers and a duplicated job never answer one visitor message twice', async () => {
    await configure({ takeoverDelaySeconds: 1 });
    const extra = await h.startExtraWorker();
    extra.ctx.conversations.widget.aiStream = (e) => void streams.push(e);
    const n = 8;
    for (let i = 0; i < n; i++) fake.enqueue({ text: `Answer ${i}`, delayMs: 100 });
    // Spare answers in case anything asks twice (it must not).
    for (let i = 0; i < n; i++) fake.enqueue({ text: `DUPLICATE ${i}` });
    const conversations = await Promise.all(Array.from({ length: n }, () => h.newConversation()));
    for (const c of conversations) {
      const sent = await h.visitorSays(c.id, `Question for ${c.id}`);
      // A retried or duplicated trigger for the same message, under another job id: the claim row must stop it.
      await queue.add(
        JOBS.aiTakeover,
        ZAiTakeoverJob.parse({
          organizationId: h.organizationId,
          projectId: h.projectId,
          conversationId: c.id,
          visitorSeq: sent.message.seq,
        }),
        { jobId: `dup-${randomBytes(4).toString('hex')}`, delay: 1_000 },
      );
    }
    for (const c of conversations) await answered(c.id, Date.now());
    // Let every duplicate job run to its end before counting.
    await waitFor(async () => (await queue.getJobCounts('delayed', 'active', 'waiting')).delayed === 0, {
      what: 'duplicates ran',
    });
    await waitFor(
      async () => {
        const counts = await queue.getJobCounts('active', 'waiting');
        return (counts.active ?? 0) + (counts.waiting ?? 0) === 0;
      },
      { what: 'queue idle' },
    );
    for (const c of conversations) expect(await aiMessages(c.id)).toHaveLength(1);
    expect(fake.completions()).toHaveLength(n);
  });

  it('handoff tool → "🙋 handoff: <reason>" in every chat app, the widget told, AI off for the conversation', async () => {
    await configure({});
    fake.enqueue({ toolCall: { name: 'handoff_to_human', arguments: { reason: 'wants a refund' } } });
    const c = await h.newConversation();
    await h.visitorSays(c.id, 'I want my money back, get me a person');
    await waitFor(async () => (await notes(c.id)).length > 0, { what: 'handoff note' });
    expect((await notes(c.id)).map((m) => m.body)).toEqual(['🙋 handoff: wants a refund']);
    // The widget is told last, once Postgres has the outcome.
    await waitFor(() => streams.filter((s) => s.conversationId === c.id).at(-1)?.state === 'handoff' || undefined, {
      what: 'the widget told (handoff)',
    });
    expect(await aiState(c.id)).toBe('off');
    expect(await aiMessages(c.id)).toHaveLength(0);
    // Settled before the widget was told: a widget connecting now reads the same notice in its session.
    expect(await getWidgetAiNotice(h.db, h.organizationId, c.id)).toBe('handoff');
    for (const side of [h.a, h.b]) {
      const topic = await h.topicOf(side, c.id);
      await waitFor(() => h.botPosts(side, topic).some((p) => p.text?.includes('🙋 handoff: wants a refund')), {
        what: 'handoff in the chat app',
      });
    }
  });

  it('at the monthly budget: handoff instead of an answer, the owner told once', async () => {
    await configure({ monthlyBudget: { maxReplies: 1, maxTokens: 1_000_000 } });
    fake.enqueue({ text: 'First and last answer.' });
    const c1 = await h.newConversation();
    await h.visitorSays(c1.id, 'q1');
    await answered(c1.id, Date.now());
    const c2 = await h.newConversation();
    const c3 = await h.newConversation();
    await h.visitorSays(c2.id, 'q2');
    await h.visitorSays(c3.id, 'q3');
    await waitFor(async () => (await notes(c2.id)).length + (await notes(c3.id)).length === 3, {
      what: 'two budget handoffs and one alert',
    });
    const all = [...(await notes(c2.id)), ...(await notes(c3.id))].map((m) => m.body);
    expect(all.filter((b) => b.startsWith('🙋 handoff: the monthly AI budget'))).toHaveLength(2);
    expect(all.filter((b) => b.startsWith('⚠️ AI budget reached'))).toHaveLength(1);
    expect(fake.completions()).toHaveLength(1);
    expect(await aiMessages(c2.id)).toHaveLength(0);
    expect(await aiState(c2.id)).toBe('off');
  });

  it('provider down (5xx after every retry): the widget gets the fallback, the team an alert, no answer stored', async () => {
    await configure({});
    fake.failNext('chat.completions', { status: 503 }, 3);
    const c = await h.newConversation();
    await h.visitorSays(c.id, 'Hello?');
    await waitFor(async () => (await notes(c.id)).length > 0, { what: 'alert note', timeoutMs: 20_000 });
    expect((await notes(c.id))[0]!.body).toContain('provider error 503');
    expect(fake.calls.filter((x) => x.path.endsWith('/chat/completions'))).toHaveLength(3);
    // The widget is told last, once Postgres has the outcome.
    await waitFor(() => streams.filter((s) => s.conversationId === c.id).at(-1)?.state === 'failed' || undefined, {
      what: 'the widget told (failed)',
    });
    expect(await aiMessages(c.id)).toHaveLength(0);
    const reply = await waitFor(
      async () =>
        (await h.db.aiReply.findMany({ where: { organizationId: h.organizationId, conversationId: c.id } })).find(
          (r) => r.status !== 'claimed',
        ),
      { what: 'claim finished' },
    );
    expect(reply).toMatchObject({ status: 'failed' });
    // The team still sees it as waiting for them: no AI or operator message after the visitor's.
    const last = await h.db.message.findFirst({
      where: { conversationId: c.id, visibility: 'public' },
      orderBy: { seq: 'desc' },
    });
    expect(last?.sender).toBe('visitor');
    // A retried trigger for the same visitor message changes nothing: no second provider call, no second alert.
    const sent = await h.db.message.findFirstOrThrow({ where: { conversationId: c.id, sender: 'visitor' } });
    const dup = await queue.add(
      JOBS.aiTakeover,
      ZAiTakeoverJob.parse({
        organizationId: h.organizationId,
        projectId: h.projectId,
        conversationId: c.id,
        visitorSeq: sent.seq,
      }),
      { jobId: `dup-${randomBytes(4).toString('hex')}` },
    );
    await waitFor(async () => (await dup.isCompleted()) || (await dup.isFailed()) || undefined, {
      what: 'the duplicate trigger ran',
    });
    expect((await notes(c.id)).map((m) => m.body)).toHaveLength(1);
    expect(fake.calls.filter((x) => x.path.endsWith('/chat/completions'))).toHaveLength(3);
    // The owner is alerted once in every chat app; a reloaded widget still says the team will answer.
    for (const side of [h.a, h.b]) {
      const topic = await h.topicOf(side, c.id);
      await waitFor(() => h.botPosts(side, topic).some((p) => p.text?.includes('could not answer')), {
        what: 'the alert in the chat app',
      });
      expect(h.botPosts(side, topic).filter((p) => p.text?.includes('could not answer'))).toHaveLength(1);
    }
    expect(await getWidgetAiNotice(h.db, h.organizationId, c.id)).toBe('failed');
  });

  it("an organization's own key is used instead of the platform key", async () => {
    await configure({});
    const own = `sk-own-${randomBytes(12).toString('hex')}`;
    fake.addApiKey(own);
    await setOrganizationAiKey(h.db, h.organizationId, {
      sealed: encryptSecret(h.worker.ctx.keyRing, own),
      hint: own.slice(-4),
    });
    try {
      fake.enqueue({ text: 'Answered with your key.' });
      const c = await h.newConversation();
      await h.visitorSays(c.id, 'Hi');
      await answered(c.id, Date.now());
      const completions = fake.calls.filter((x) => x.path.endsWith('/chat/completions'));
      expect(completions.map((x) => x.apiKey)).toEqual([own]);
    } finally {
      await setOrganizationAiKey(h.db, h.organizationId, null);
    }
  });

  it('/ai status in a chat app says whether the AI may answer here, before and after /ai off', async () => {
    await configure({ takeoverDelaySeconds: 600 });
    const c = await h.newConversation();
    await h.visitorSays(c.id, 'Hello there');
    const topic = await h.topicOf(h.a, c.id);
    const answers = () =>
      h
        .botPosts(h.a, topic)
        .map((p) => p.text ?? '')
        .filter((t) => t.startsWith('AI assistant'));
    await h.operatorWrites(h.a, topic, { text: '/ai status' });
    await waitFor(() => answers().length === 1, { what: '/ai status answer' });
    expect(answers()[0]).toContain('AI assistant Pip: on for this project (answers after 600 s');
    expect(answers()[0]).toContain('In this conversation: ON');
    await h.operatorWrites(h.a, topic, { text: '/ai off' });
    await h.operatorWrites(h.a, topic, { text: '/ai' });
    await waitFor(() => answers().length === 2, { what: 'second /ai status answer' });
    expect(answers()[1]).toContain('In this conversation: OFF');
    expect(answers()[1]).toContain('/ai on hands it back');
    await configure({ enabled: false });
    await h.operatorWrites(h.a, topic, { text: '/ai status' });
    await waitFor(() => answers().length === 3, { what: 'third /ai status answer' });
    expect(answers()[2]).toBe(
      'AI assistant: off for this project. The owner can turn it on in the dashboard (AI page).',
    );
    // Status answers only the operator: nothing stored for the visitor, nothing mirrored.
    expect(await h.db.message.count({ where: { conversationId: c.id, body: { startsWith: 'AI assistant' } } })).toBe(0);
  });
});
