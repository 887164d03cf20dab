// "Visitor left": the last socket of a visitor closes, a delayed job (the worker's processor, in-process) adds an
// internal note to the inbox (never posted to the chat apps), unless the visitor came back in time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@pocketping/core';
import { createProducer, type TProducer } from '@pocketping/jobs';
import type { THistoryAck, TSendAck } from '@pocketping/protocol';
import { waitFor } from '@pocketping/testkit';
import { startVisitorWorker } from '../../apps/worker/src/visitor/start-visitor-worker.js';
import { clientId, connectWidget, startHarness, type THarness, type TTenant } from './realtime-harness.js';

let h: THarness;
let t: TTenant;
let producer: TProducer;
let worker: { close(): Promise<void> };
const DELAY = 600;

beforeAll(async () => {
  h = await startHarness({ visitorLeftDelayMs: DELAY });
  t = await h.tenant({ withBridge: true });
  producer = createProducer(h.redisConfig);
  worker = await startVisitorWorker({
    db: h.db,
    redis: h.redis,
    redisConfig: h.redisConfig,
    producer,
    concurrency: 5,
    log: createLogger('visitor-test', 'silent'),
  });
});
afterAll(async () => {
  await worker?.close();
  await producer?.close();
  await h?.close();
});

const notes = (conversationId: string) => h.db.message.findMany({ where: { conversationId, body: 'Visitor left' } });

describe('visitor left', () => {
  it('after the last tab closes and stays closed, the inbox gets one internal note — no chat-app post; the widget never sees it', async () => {
    const a = await connectWidget(h.url, t);
    const a2 = await connectWidget(h.url, { ...t, visitorToken: a.session.visitorToken! });
    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'bye soon' });
    if (!sent.ok) throw new Error('send');
    const cid = sent.message.conversationId;
    a.close();
    await new Promise((r) => setTimeout(r, DELAY * 2));
    expect(await notes(cid)).toHaveLength(0); // the second tab is still open
    a2.close();
    const [note] = await waitFor(async () => ((await notes(cid)).length > 0 ? notes(cid) : null), {
      what: 'visitor left note',
      timeoutMs: 10_000,
    });
    expect(note).toMatchObject({ sender: 'system', visibility: 'internal' });
    // In the inbox's history only: nothing is posted to the chat apps (a phone buzzes for what a person must read).
    expect(await h.db.outboxEvent.count({ where: { messageId: note!.id } })).toBe(0);
    const back = await connectWidget(h.url, { ...t, visitorToken: a.session.visitorToken! });
    const page = await back.ack<THistoryAck>('history', { afterSeq: 0 });
    expect(page.ok && page.messages.map((m) => m.body)).toEqual(['bye soon']);
    back.close();
    // Leaving again without writing anything adds no second note.
    await new Promise((r) => setTimeout(r, DELAY * 3));
    expect(await notes(cid)).toHaveLength(1);
  });

  it('a visitor who comes back within the delay (a reload) gets no note', async () => {
    const a = await connectWidget(h.url, t);
    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'reloading' });
    if (!sent.ok) throw new Error('send');
    a.close();
    await new Promise((r) => setTimeout(r, DELAY / 3));
    const b = await connectWidget(h.url, { ...t, visitorToken: a.session.visitorToken! });
    await new Promise((r) => setTimeout(r, DELAY * 3));
    expect(await notes(sent.message.conversationId)).toHaveLength(0);
    b.close();
  });
});
