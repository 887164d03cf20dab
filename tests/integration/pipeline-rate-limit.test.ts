// Telegram's 20 posts/minute per group, shared by all of a tenant's conversations: the token bucket in Redis paces
// the posts without sleeping in the worker, and while conversations wait their backlogs are coalesced into one post
// each, in order — zero lost, zero duplicated, and the wait bounded by the number of waiting conversations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMessagesAfter } from '@pocketping/db';
import { waitFor } from '@pocketping/testkit';
import { startHarness, type THarness } from './pipeline-harness.js';

describe('per-group rate limit with coalescing (Telegram default 20/min)', () => {
  let h: THarness;
  beforeAll(async () => {
    h = await startHarness({ groupPostsPerMinute: 20 });
    // One Telegram connection is enough here: the second one's group has its own bucket.
    await h.db.bridgeConnection.update({ where: { id: h.b.connection.id }, data: { status: 'disabled' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a burst of 45 messages in 3 conversations: ≤ 20 posts at once, then one coalesced post per waiting conversation', async () => {
    const convs = [await h.newConversation(), await h.newConversation(), await h.newConversation()];
    const t0 = Date.now();
    for (let i = 1; i <= 15; i++) for (const c of convs) await h.visitorSays(c.id, `${c.id.slice(-4)} message ${i}`);
    const postsTo = () =>
      h.telegram.callsOf('sendMessage').filter((call) => String(call.params.chat_id) === String(h.a.chatId));
    for (const c of convs) {
      const stored = (await listMessagesAfter(h.db, h.organizationId, c.id, 0, 100)).messages.map((m) => m.body);
      const topic = await h.topicOf(h.a, c.id);
      const texts = () => h.botPosts(h.a, topic).flatMap((m) => (m.text ?? '').split('\n\n'));
      await waitFor(() => texts().length === stored.length, { what: `all of ${c.id} posted`, timeoutMs: 30_000 });
      // Every message exactly once, in conversation order, whatever the grouping.
      expect(texts()).toEqual(stored);
    }
    const elapsed = Date.now() - t0;
    const posts = postsTo();
    // The bucket: 20 at once, then one every 3 s.
    expect(posts.length).toBeLessThanOrEqual(20 + Math.ceil(elapsed / 3_000) + 1);
    // 3 visitor cards + 45 messages went out in far fewer posts: the backlogs were coalesced.
    expect(posts.length).toBeLessThan(3 + 45);
    const coalesced = h.telegram
      .messages(h.a.chatId)
      .filter((m) => m.fromBot && (m.text ?? '').includes('\n\n') && !m.text?.startsWith('New conversation'));
    expect(coalesced.length).toBeGreaterThanOrEqual(1);
    expect(coalesced.length).toBeLessThanOrEqual(6);
    for (const m of coalesced) expect((m.text ?? '').length).toBeLessThanOrEqual(4096);
    // Bounded wait: three waiting conversations need about three tokens (≈ 9 s), not one per message (≈ 75 s).
    expect(elapsed).toBeLessThan(20_000);
    // Coalesced rows are all done; the platform message is mapped once (to the first message of each post).
    expect(await h.db.outboxEvent.count({ where: { organizationId: h.organizationId, status: 'pending' } })).toBe(0);
    const mapped = await h.db.bridgeMessage.count({
      where: { organizationId: h.organizationId, connectionId: h.a.connection.id, direction: 'outbound' },
    });
    expect(mapped).toBe(posts.length - 3);
  }, 45_000);
});
