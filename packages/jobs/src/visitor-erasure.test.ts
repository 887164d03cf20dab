import { afterAll, describe, expect, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { createMailJobs } from './notification-jobs.js';
import { bullPrefix } from './redis.js';
import { QUEUES } from './names.js';
import { createVisitorConnections } from './visitor-connections.js';
import { queueVisitorEvent, takeVisitorEvents } from './visitor-event-queue.js';
import { forgetVisitorInRedis } from './visitor-erasure.js';

const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const cfg = { url: 'redis://127.0.0.1:6379', prefix: `pptest_erase_${randomBytes(4).toString('hex')}`, cluster: false };
afterAll(() => redis.disconnect());

const mail = (to: string) => ({ to, subject: 'Re: your question', text: 'the answer', html: '<p>the answer</p>' });

describe('forgetVisitorInRedis', () => {
  it("clears the erased visitor's queued events, flags and waiting jobs, and nothing of another visitor", async () => {
    const [gone, kept] = ['vis_gone', 'vis_kept'];
    const [c1, c2, other] = ['conv_gone_1', 'conv_gone_2', 'conv_kept'];
    for (const v of [gone, kept])
      await queueVisitorEvent(redis, cfg.prefix, v, {
        id: `ev_${v}`,
        name: 'offer',
        data: { secret: `for ${v}` },
        sentAt: new Date().toISOString(),
      });
    await createVisitorConnections(redis, cfg.prefix, 'node-1').connected(gone);
    await redis.set(`${cfg.prefix}:typing:visitor:${c1}`, '1', 'EX', 60);
    const mails = createMailJobs(redis, cfg);
    // A reply email held to the next hour by the per-recipient limit, one waiting, and another visitor's.
    await mails.enqueue(`mail-reply-${c1}-4-h3`, { ...mail('gone@example.test'), kind: 'visitor-reply' }, 3_600_000);
    await mails.enqueue(`mail-reply-${c2}-2`, { ...mail('gone@example.test'), kind: 'visitor-reply' }, 60_000);
    await mails.enqueue(`mail-reply-${other}-2`, { ...mail('kept@example.test'), kind: 'visitor-reply' }, 60_000);
    // The team's emails are named after a notice or a digest, not the conversation: their content quotes the visitor
    // and links to it. One waiting, one already sent (a completed job kept by the queue), one about another visitor.
    const teamMail = (conversationId: string) => ({
      to: 'team@example.test',
      subject: 'Ann is waiting for an answer',
      text: `Ann wrote: my order. Open: https://app.test/app/orgs/o/projects/p/conversations/${conversationId}`,
      html: `<p>Ann wrote: my order.</p><a href="https://app.test/app/orgs/o/projects/p/conversations/${conversationId}">Open</a>`,
      kind: 'waiting',
    });
    await mails.enqueue('mail-wait-notice1-user1', teamMail(c1), 60_000);
    await mails.enqueue('mail-digest-user1-1700000000000', teamMail(c2));
    await mails.enqueue('mail-wait-notice2-user1', teamMail(other), 60_000);
    await mails.close();
    const mailQueue = new Queue(QUEUES.mail, { connection: redis, prefix: bullPrefix(cfg) });
    // The digest is sent (the only job not delayed): its completed job stays in the queue.
    const sender = new Worker(QUEUES.mail, async () => 'sent', {
      connection: redis.duplicate(),
      prefix: bullPrefix(cfg),
    });
    for (let i = 0; !(await mailQueue.getJob('mail-digest-user1-1700000000000'))?.finishedOn; i++) {
      if (i > 200) throw new Error('the digest was not sent');
      await new Promise((r) => setTimeout(r, 50));
    }
    await sender.close();
    await (sender.opts.connection as Redis).quit();

    const res = await forgetVisitorInRedis(redis, cfg, { visitorId: gone, conversationIds: [c1, c2] });
    expect(res.jobs).toBe(4);
    expect(await mailQueue.getJob('mail-wait-notice1-user1')).toBeUndefined();
    expect(await mailQueue.getJob('mail-digest-user1-1700000000000')).toBeUndefined();
    expect((await mailQueue.getJob('mail-wait-notice2-user1'))?.data.text).toContain(other);
    await mailQueue.close();
    expect(await takeVisitorEvents(redis, cfg.prefix, gone)).toEqual([]);
    expect(await redis.exists(`${cfg.prefix}:typing:visitor:${c1}`)).toBe(0);
    expect(await redis.keys(`${cfg.prefix}:v*${gone}*`)).toEqual([]);
    const queue = new Queue(QUEUES.mail, { connection: redis, prefix: bullPrefix(cfg) });
    expect(await queue.getJob(`mail-reply-${c1}-4-h3`)).toBeUndefined();
    expect(await queue.getJob(`mail-reply-${c2}-2`)).toBeUndefined();
    expect((await queue.getJob(`mail-reply-${other}-2`))?.data.to).toBe('kept@example.test');
    expect(await takeVisitorEvents(redis, cfg.prefix, kept)).toHaveLength(1);
    // Idempotent: a second call finds nothing.
    expect(await forgetVisitorInRedis(redis, cfg, { visitorId: gone, conversationIds: [c1, c2] })).toEqual({
      keys: 0,
      jobs: 0,
    });
    await queue.obliterate({ force: true });
    await queue.close();
  });
});
