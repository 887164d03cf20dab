import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { QUEUES } from './names.js';
import { jobIds } from './contracts.js';
import { createProducer } from './producer.js';
import { bullPrefix, createRedis } from './redis.js';

const cfg = { url: 'redis://127.0.0.1:6379', prefix: `pptest_pr_${randomBytes(4).toString('hex')}` };
const producer = createProducer(cfg);
const connection = createRedis(cfg, 'worker');
const queue = new Queue(QUEUES.delivery, { connection, prefix: bullPrefix(cfg) });
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await producer.close();
  connection.disconnect();
});

const row = (id: string, conversationId = 'conv_1') => ({
  id,
  organizationId: 'org_1',
  connectionId: 'conn_1',
  conversationId,
});

describe('producer.enqueueDeliveries (real Redis)', () => {
  it('deliveries asked for in one event-loop turn (one batch): every row one job, a row asked twice still one', async () => {
    const calls = [
      producer.enqueueDeliveries([row('ob_1'), row('ob_2')]),
      producer.enqueueDeliveries([row('ob_3', 'conv_2')]),
      producer.enqueueDeliveries([row('ob_1')]),
      producer.enqueueDeliveries([]),
    ];
    await Promise.all(calls);
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
    expect(jobs.map((j) => j.id).sort()).toEqual(['ob_1', 'ob_2', 'ob_3'].map((id) => jobIds.deliver(id)).sort());
    expect(jobs.find((j) => j.id === jobIds.deliver('ob_3'))?.data).toEqual({
      organizationId: 'org_1',
      connectionId: 'conn_1',
      conversationId: 'conv_2',
      outboxId: 'ob_3',
    });
    // A later turn is a batch of its own and resolves as well.
    await producer.enqueueDeliveries([row('ob_4')]);
    expect(await queue.getJob(jobIds.deliver('ob_4'))).toBeDefined();
  });
});
