// The AI fallback for a project with NO chat app: the realtime server and the worker in-process on one database and
// Redis, a visitor on the official socket.io-client, the fake OpenAI behind the official SDK. The visitor's message
// reaches the AI through realtime's follow-up (`visitorMessagePosted` → `visitor.posted` job → the AI timer), not
// through a delivery drain (there is none without a chat app).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@pocketping/core';
import { saveProjectAiSettings } from '@pocketping/db';
import type { TAiStreamEvent, TMessage, TSendAck } from '@pocketping/protocol';
import { startFakeOpenAi, waitFor, type TFakeOpenAi } from '@pocketping/testkit';
import { startWorker, type TWorkerRuntime } from '../../apps/worker/src/runtime.js';
import { clientId, connectWidget, startHarness, type THarness } from './realtime-harness.js';

let h: THarness;
let fake: TFakeOpenAi;
let worker: TWorkerRuntime;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  h = await startHarness();
  worker = await startWorker({
    databaseUrl: h.database.url,
    redis: h.redisConfig,
    keyRing: h.keyRing,
    bridges: { telegram: { apiRoot: 'http://127.0.0.1:9', groupPostsPerMinute: 0 } },
    concurrency: 5,
    sweepIntervalMs: 60_000,
    log: createLogger('worker-test', 'silent'),
    ai: { baseURL: fake.baseUrl, apiKey: fake.apiKey, streamThrottleMs: 0, requestTimeoutMs: 5_000 },
  });
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await h?.close();
  await fake?.close();
});

describe('AI fallback without any chat app', () => {
  it('a visitor writes → the AI answers in the widget: streamed bubble, then the stored message', async () => {
    const t = await h.tenant(); // no chat app connected
    await saveProjectAiSettings(h.db, t.organizationId, t.projectId, {
      enabled: true,
      takeoverDelaySeconds: 0,
      assistantName: 'Pip',
    });
    fake.enqueue({ text: 'We ship worldwide.', chunkChars: 4, chunkDelayMs: 5 });
    const w = await connectWidget(h.url, t);
    const sent = await w.ack<TSendAck>('message:send', { clientId: clientId(), body: 'Do you ship abroad?' });
    if (!sent.ok) throw new Error(JSON.stringify(sent));
    expect(await h.db.outboxEvent.count({ where: { organizationId: t.organizationId } })).toBe(0);

    const ai = await waitFor(() => w.messages().find((m: TMessage) => m.sender === 'ai'), {
      what: 'AI answer in the widget',
      timeoutMs: 15_000,
    });
    expect(ai).toMatchObject({
      body: 'We ship worldwide.',
      authorName: 'Pip',
      conversationId: sent.message.conversationId,
    });
    const streamed = w.events.filter((e) => e.event === 'ai:stream').map((e) => e.payload as TAiStreamEvent);
    expect(streamed.some((s) => s.state === 'streaming')).toBe(true);
    expect(streamed.at(-1)).toMatchObject({ state: 'done', text: 'We ship worldwide.' });
    // The provider saw the visitor's words.
    expect(JSON.stringify(fake.completions().at(-1))).toContain('Do you ship abroad?');
    w.close();
  });
});
