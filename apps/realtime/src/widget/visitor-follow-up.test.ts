import { describe, expect, it } from 'vitest';
import type { TVisitorPostedJob } from '@pocketping/jobs';
import { createVisitorFollowUp, createFollowUpGate } from './visitor-follow-up.js';

const event = (seq: number, projectId = 'p1') => ({
  organizationId: 'o1',
  projectId,
  conversationId: 'c1',
  messageId: `m${seq}`,
  seq,
});

function setup(on: Record<string, boolean>, ttlMs = 60_000) {
  const reads: string[] = [];
  const posted: TVisitorPostedJob[] = [];
  const gate = createFollowUpGate(async (_org, projectId) => {
    reads.push(projectId);
    return on[projectId] ?? false;
  }, ttlMs);
  const followUp = createVisitorFollowUp({ wanted: gate, visitorJobs: { posted: async (j) => void posted.push(j) } });
  return { reads, posted, followUp };
}

describe('the worker follow-up of a visitor message', () => {
  it('queues the follow-up only for a project that wants it', async () => {
    const s = setup({ p1: true, p2: false });
    await s.followUp(event(3));
    await s.followUp(event(4, 'p2'));
    expect(s.posted).toEqual([{ organizationId: 'o1', projectId: 'p1', conversationId: 'c1', seq: 3 }]);
  });

  it('asks the database once per project and TTL, however many messages (concurrent misses share the read)', async () => {
    const s = setup({ p1: true });
    await Promise.all([s.followUp(event(1)), s.followUp(event(2))]);
    await s.followUp(event(3));
    expect(s.reads).toEqual(['p1']);
    expect(s.posted.map((p) => p.seq)).toEqual([1, 2, 3]);
  });

  it('a TTL of 0 reads every time (a project switched on applies at once) and a failed read is not cached', async () => {
    let fail = true;
    let reads = 0;
    const gate = createFollowUpGate(async () => {
      reads += 1;
      if (fail) throw new Error('db down');
      return true;
    }, 60_000);
    await expect(gate('o1', 'p1')).rejects.toThrow('db down');
    fail = false;
    expect(await gate('o1', 'p1')).toBe(true);
    expect(reads).toBe(2);
    const s = setup({ p1: true }, 0);
    await s.followUp(event(1));
    await s.followUp(event(2));
    expect(s.reads).toEqual(['p1', 'p1']);
  });
});
