// Operator replies keep the order they were written in: a burst of Telegram updates for one conversation, delivered
// back to back or all at once, in any order, with two worker processes (each running 20 jobs at a time), ends up
// stored, pushed and mirrored in update_id order; an edit right behind its message applies after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@pocketping/core';
import { listMessagesAfter } from '@pocketping/db';
import { ingestInboundEvent } from '@pocketping/inbound';
import { waitFor } from '@pocketping/testkit';
import { startHarness, type THarness, type TTelegramSide } from './pipeline-harness.js';

const silent = createLogger('order-test', 'silent');
/** What the Telegram webhook uses in production (INBOUND_REORDER_WINDOW_MS default). */
const WINDOW_MS = 250;

let h: THarness;
beforeAll(async () => {
  h = await startHarness();
  await h.startExtraWorker();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

async function conversationWithTopic(): Promise<{ id: string; topic: number }> {
  const c = await h.newConversation();
  await h.visitorSays(c.id, 'hello?');
  return { id: c.id, topic: await h.topicOf(h.a, c.id) };
}

/** A human writes in the topic on the fake Telegram; the update is returned, not yet delivered to us. */
async function written(
  side: TTelegramSide,
  topic: number,
  text: string,
  editOf?: number,
): Promise<{ update: { update_id: number; message?: { message_id: number } }; text: string }> {
  const { update } = await h.telegram.operatorWrites({
    token: side.botToken,
    chatId: side.chatId,
    threadId: topic,
    text,
    from: { id: 31, first_name: 'Olga' },
    ...(editOf !== undefined ? { editOf } : {}),
  });
  return { update: update as { update_id: number; message?: { message_id: number } }, text };
}

/** What POST /api/webhooks/telegram/:id does with an update (packages/bridges/src/telegram/webhook.ts). */
function deliver(
  side: TTelegramSide,
  update: { update_id: number },
  reorderWindowMs = WINDOW_MS,
): Promise<{ id: string }> {
  return ingestInboundEvent(
    { db: h.db, producer: h.producer, log: silent },
    {
      organizationId: h.organizationId,
      connectionId: side.connection.id,
      kind: 'telegram',
      externalId: String(update.update_id),
      payload: update,
      reorderWindowMs,
      previousExternalId: String(update.update_id - 1),
    },
  );
}

async function operatorBodies(conversationId: string, count: number): Promise<string[]> {
  return waitFor(
    async () => {
      const { messages } = await listMessagesAfter(h.db, h.organizationId, conversationId, 0, 200);
      const ops = messages
        .filter((m) => m.sender === 'operator')
        .sort((a, b) => a.seq - b.seq)
        .map((m) => m.body);
      return ops.length >= count ? ops : undefined;
    },
    { what: `${count} operator messages`, timeoutMs: 30_000 },
  );
}

/** Mirrored copies on the other Telegram group, in the order they were posted there. */
async function mirroredBodies(conversationId: string, count: number): Promise<string[]> {
  const tb = await h.topicOf(h.b, conversationId);
  return waitFor(
    () => {
      const texts = h
        .botPosts(h.b, tb)
        .map((m) => m.text ?? '')
        .filter((t) => t.includes('(via Telegram)'))
        .map((t) => t.replace(/^.*\(via Telegram\): /s, ''));
      return texts.length >= count ? texts : undefined;
    },
    { what: `${count} mirrored copies`, timeoutMs: 30_000 },
  );
}

describe('inbound order per conversation (two workers)', () => {
  it('keeps a back-to-back burst of replies in the order they were written, stored, pushed and mirrored', async () => {
    const c = await conversationWithTopic();
    const replies: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const w = await written(h.a, c.topic, `reply ${i}`);
      replies.push(w.text);
      await deliver(h.a, w.update); // each acknowledged before the next is sent, as a platform does
    }
    expect(await operatorBodies(c.id, 12)).toEqual(replies);
    // The widget push follows each commit: wait until every stored reply has been pushed, then compare by seq.
    const pushedBySeq = await waitFor(
      () => {
        const pushed = h.pushed.messages.filter((p) => p.conversationId === c.id && p.message.sender === 'operator');
        const bySeq = new Map(pushed.map((p) => [p.message.seq, p.message.body]));
        return bySeq.size >= 12 ? bySeq : undefined;
      },
      { what: '12 replies pushed', timeoutMs: 30_000 },
    );
    expect([...pushedBySeq.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b)).toEqual(replies);
    expect(await mirroredBodies(c.id, 12)).toEqual(replies);
  });

  it('puts replies delivered all at once, in any order, back in update_id order', async () => {
    const c = await conversationWithTopic();
    const writtenInOrder = [];
    for (let i = 1; i <= 12; i++) writtenInOrder.push(await written(h.a, c.topic, `burst ${i}`));
    // Concurrent webhook deliveries arrive shuffled: the last written first, the first one last.
    const shuffled = [...writtenInOrder].reverse();
    await Promise.all(shuffled.map((w) => deliver(h.a, w.update)));
    expect(await operatorBodies(c.id, 12)).toEqual(writtenInOrder.map((w) => w.text));
    expect(await mirroredBodies(c.id, 12)).toEqual(writtenInOrder.map((w) => w.text));
  });

  it('applies an edit delivered together with (even before) its message after the message', async () => {
    const c = await conversationWithTopic();
    const original = await written(h.a, c.topic, 'typo hree');
    const edit = await written(h.a, c.topic, 'typo here', original.update.message!.message_id);
    // The edit overtakes its message on the way in (a generous window here, so a slow machine keeps the overtaking
    // inside it); without ordering it would be applied first and dropped as the edit of an unknown message.
    await deliver(h.a, edit.update, 3_000);
    await new Promise((r) => setTimeout(r, 100));
    await deliver(h.a, original.update, 3_000);
    const row = await waitFor(
      async () => {
        const { messages } = await listMessagesAfter(h.db, h.organizationId, c.id, 0, 50);
        const m = messages.find((x) => x.sender === 'operator');
        return m?.body === 'typo here' ? m : undefined;
      },
      { what: 'the edit applied', timeoutMs: 15_000 },
    );
    expect(row.editedAt).not.toBeNull();
    // Both events went through (none ignored as "an edit of a message we did not store").
    // The event is marked done just after its change is applied: wait for both records.
    const statuses = await waitFor(
      async () => {
        const events = await h.db.inboundEvent.findMany({
          where: {
            organizationId: h.organizationId,
            connectionId: h.a.connection.id,
            externalId: { in: [String(original.update.update_id), String(edit.update.update_id)] },
          },
        });
        return events.every((e) => e.status !== 'pending') ? events.map((e) => e.status) : undefined;
      },
      { what: 'both events processed' },
    );
    expect(statuses).toEqual(['done', 'done']);
  });

  it('runs different conversations side by side: a thread held back does not hold up another', async () => {
    const slow = await conversationWithTopic();
    const fast = await conversationWithTopic();
    const first = await written(h.a, slow.topic, 'before the gap');
    // A reply written in between whose update is still "in flight" (never delivered here).
    await written(h.a, slow.topic, 'in flight');
    const afterGap = await written(h.a, slow.topic, 'after the gap');
    await deliver(h.a, first.update);
    // Its predecessor is missing, so it is held for the (here long) window…
    const held = await deliver(h.a, afterGap.update, 5_000);
    // …while the next reply in another conversation goes through at once.
    const other = await written(h.a, fast.topic, 'straight through');
    await deliver(h.a, other.update);
    expect(await operatorBodies(fast.id, 1)).toEqual(['straight through']);
    expect(await operatorBodies(slow.id, 1)).toEqual(['before the gap']);
    expect((await h.db.inboundEvent.findUniqueOrThrow({ where: { id: held.id } })).status).toBe('pending');
    // Nothing earlier came: once the window is over it is applied.
    expect(await operatorBodies(slow.id, 2)).toEqual(['before the gap', 'after the gap']);
  });
});
