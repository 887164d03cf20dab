// One topic or thread per conversation, through 429s and crashes (the worker in-process, one project connected to
// Telegram and Discord through their fakes):
// - a 429 on the Telegram card post after the topic was created keeps that topic: the card is its next post;
// - a worker killed between opening a Discord thread and recording it: the next drain finds that thread by its
//   name among the channel's active threads and carries on there instead of opening a second one;
// - a same-named thread that belongs to another conversation is never taken.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { getConnection, type TDb } from '@pocketping/db';
import type { TFakeDiscord, TFakeTelegram } from '@pocketping/testkit';
import { toBridgeTarget } from '../../apps/worker/src/context.js';
import { buildCard } from '../../apps/worker/src/delivery/build-card.js';
import type { TWorkerRuntime } from '../../apps/worker/src/runtime.js';
import { startDiscordPipelineStack, type TDiscordPipelineStack } from './discord-pipeline-stack.js';

describe('threads through 429s and crashes', () => {
  let stack: TDiscordPipelineStack;
  let db: TDb;
  let telegram: TFakeTelegram;
  let discord: TFakeDiscord;
  let worker: TWorkerRuntime;
  let tenant: { organizationId: string; projectId: string };
  let organizationId: string;
  const ids = { tgConn: '', discordConn: '', chatId: 0, channelId: '' };

  beforeAll(async () => {
    stack = await startDiscordPipelineStack();
    ({ db, telegram, discord, worker } = stack);
    const t = await stack.tenant('threads', { telegram: true });
    tenant = t;
    organizationId = t.organizationId;
    ids.tgConn = t.telegram!.connectionId;
    ids.chatId = t.telegram!.chatId;
    const dc = await stack.connectDiscord(t);
    ids.discordConn = dc.connectionId;
    ids.channelId = dc.channelId;
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  /** A conversation of a new visitor; `name` gives two visitors the same thread title. */
  const newConversation = async (pageUrl = `https://t.test/${randomBytes(4).toString('hex')}`, name?: string) => {
    const c = await stack.newConversation(tenant, { pageUrl });
    if (name)
      await db.visitor.update({ where: { organizationId_id: { organizationId, id: c.visitorId } }, data: { name } });
    return c;
  };
  const visitorSays = (conversationId: string, body: string) => stack.visitorSays(organizationId, conversationId, body);
  const threadOf = (conversationId: string, connectionId: string) =>
    stack.threadOf(organizationId, conversationId, connectionId);
  const allDone = (conversationId: string) => stack.allDone(organizationId, conversationId);
  const discordThreadsNamed = (name: string) => discord.threads(ids.channelId).filter((t) => t.name === name);

  it('a 429 on the Telegram card post keeps the topic: one topic, its card, then the message', async () => {
    const c = await newConversation();
    const topicsBefore = telegram.callsOf('createForumTopic').length;
    // The first sendMessage after the topic is created is the card.
    telegram.failNext('sendMessage', {
      errorCode: 429,
      description: 'Too Many Requests: retry after 1',
      retryAfter: 1,
    });
    await visitorSays(c.id, 'hello after a 429');
    await allDone(c.id);
    const tg = await threadOf(c.id, ids.tgConn);
    expect(telegram.callsOf('createForumTopic').length - topicsBefore).toBe(1);
    const posts = telegram
      .messages(ids.chatId, Number(tg.externalThreadId))
      .filter((m) => m.fromBot)
      .map((m) => m.text ?? '');
    expect(posts).toHaveLength(2);
    expect(posts[0]).toMatch(/^New conversation/);
    expect(posts[1]).toContain('hello after a 429');
    expect(tg.cardPending).toBe(false);
  });

  it('a worker killed between opening a Discord thread and recording it: the next drain finds and uses that thread', async () => {
    const c = await newConversation();
    // What the killed worker did: the "opening a thread" marker, then the thread on Discord, then nothing.
    const pairKey = `${ids.discordConn}:${c.id}`;
    await worker.ctx.lock.markPosting(pairKey, 'thread');
    const connection = (await getConnection(db, organizationId, ids.discordConn))!;
    const card = await buildCard(db, organizationId, c.id);
    const orphan = await worker.ctx.bridges.discord!.ensureThread(toBridgeTarget(worker.ctx, connection), card);
    const name = discord.threads(ids.channelId).find((t) => t.id === orphan.externalThreadId)!.name;

    await visitorSays(c.id, 'hello after a crash');
    await allDone(c.id);
    const dc = await threadOf(c.id, ids.discordConn);
    expect(dc.externalThreadId).toBe(orphan.externalThreadId);
    expect(discordThreadsNamed(name)).toHaveLength(1);
    // The card the killed worker never posted comes first, then the message.
    const posts = discord
      .messages(orphan.externalThreadId)
      .filter((m) => m.author.bot)
      .map((m) => m.content);
    expect(posts[0]).toMatch(/^\*\*New conversation\*\*/);
    expect(posts.slice(1).join('\n')).toContain('hello after a crash');
  });

  it("never takes a same-named thread that is another conversation's", async () => {
    const page = `https://t.test/same-${randomBytes(3).toString('hex')}`;
    const sameName = `Sam ${randomBytes(3).toString('hex')}`;
    const first = await newConversation(page, sameName);
    await visitorSays(first.id, 'first visitor');
    await allDone(first.id);
    const taken = await threadOf(first.id, ids.discordConn);
    const name = discord.threads(ids.channelId).find((t) => t.id === taken.externalThreadId)!.name;

    // A second conversation with the same title whose worker "died" while opening its thread (nothing was created).
    const second = await newConversation(page, sameName);
    await worker.ctx.lock.markPosting(`${ids.discordConn}:${second.id}`, 'thread');
    await visitorSays(second.id, 'second visitor');
    await allDone(second.id);
    const own = await threadOf(second.id, ids.discordConn);
    expect(own.externalThreadId).not.toBe(taken.externalThreadId);
    expect(discordThreadsNamed(name)).toHaveLength(2);
    expect((await threadOf(first.id, ids.discordConn)).externalThreadId).toBe(taken.externalThreadId);
    expect(discord.messages(taken.externalThreadId).some((m) => m.content.includes('second visitor'))).toBe(false);
  });
});
