// Thread names in the chat apps (the worker in-process; one project connected to Telegram, Discord and Slack through
// their fakes):
// - a thread is named so a phone tells visitors apart: "Visitor #<number> · <page path>" until the visitor is known;
// - when the visitor identifies, every thread is renamed through the outbox (Telegram editForumTopic, Discord thread
//   PATCH, Slack's parent post updated), once: the same identity again queues nothing;
// - a visitor who writes again after their conversation was closed: the old thread gets a note linking (Telegram,
//   Discord) or naming (Slack) the new one, and the new thread's card mentions the previous conversation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitorNumber } from '@pocketping/bridges';
import {
  applyVisitorIdentity,
  getOrCreateOpenConversation,
  savePreChat,
  setConversationStatus,
  type TDb,
} from '@pocketping/db';
import { waitFor, type TFakeDiscord, type TFakeSlack, type TFakeTelegram } from '@pocketping/testkit';
import { startDiscordPipelineStack, type TDiscordPipelineStack } from './discord-pipeline-stack.js';

describe('thread names and "the visitor wrote again" in the chat apps', () => {
  let stack: TDiscordPipelineStack;
  let db: TDb;
  let telegram: TFakeTelegram;
  let discord: TFakeDiscord;
  let slack: TFakeSlack;
  let tenant: { organizationId: string; projectId: string };
  let organizationId: string;
  const ids = { tgConn: '', discordConn: '', slackConn: '', chatId: 0, channelId: '', slackChannel: '' };

  beforeAll(async () => {
    stack = await startDiscordPipelineStack();
    ({ db, telegram, discord, slack } = stack);
    const t = await stack.tenant('names', { telegram: true });
    tenant = t;
    organizationId = t.organizationId;
    ids.tgConn = t.telegram!.connectionId;
    ids.chatId = t.telegram!.chatId;
    const dc = await stack.connectDiscord(t);
    ids.discordConn = dc.connectionId;
    ids.channelId = dc.channelId;
    const sl = await stack.connectSlack(t);
    ids.slackConn = sl.connectionId;
    ids.slackChannel = sl.channel;
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  const visitorSays = (conversationId: string, body: string) => stack.visitorSays(organizationId, conversationId, body);
  const threadOf = (conversationId: string, connectionId: string) =>
    stack.threadOf(organizationId, conversationId, connectionId);
  const allDone = (conversationId: string) => stack.allDone(organizationId, conversationId);
  /** The three threads of a conversation once its first message went out. */
  const threadsOf = async (conversationId: string) => {
    await allDone(conversationId);
    const [tg, dc, sl] = await Promise.all([
      threadOf(conversationId, ids.tgConn),
      threadOf(conversationId, ids.discordConn),
      threadOf(conversationId, ids.slackConn),
    ]);
    return { tg, dc, sl };
  };
  const names = (t: Awaited<ReturnType<typeof threadsOf>>) => {
    const topic = telegram.topics(ids.chatId).find((x) => x.threadId === Number(t.tg.externalThreadId));
    const thread = discord.threads(ids.channelId).find((x) => x.id === t.dc.externalThreadId);
    const root = slack.messages(ids.slackChannel).find((m) => m.ts === t.sl.externalThreadId);
    const header = (root?.blocks as { type: string; text?: { text: string } }[] | undefined)?.find(
      (b) => b.type === 'header',
    )?.text?.text;
    return { telegram: topic?.name, discord: thread?.name, slack: header, slackRoot: root };
  };

  it('names threads by visitor number and page, then renames them all once the visitor identifies', async () => {
    const c = await stack.newConversation(tenant, { pageUrl: 'https://shop.test/pricing?plan=pro' });
    await visitorSays(c.id, 'how much is it?');
    const threads = await threadsOf(c.id);
    const anonymous = `Visitor #${visitorNumber(c.visitorId)} · /pricing`;
    expect(names(threads)).toMatchObject({
      telegram: anonymous,
      discord: anonymous,
      slack: `New conversation: ${anonymous}`,
    });

    const editsBefore = telegram.callsOf('editForumTopic').length;
    const identity = await applyVisitorIdentity(db, organizationId, c.visitorId, {
      externalId: 'u-ada',
      verified: false,
      name: 'Ada <b>Lovelace</b>',
      email: 'ada@example.test',
    });
    // One rename per chat app, in the outbox like any delivery.
    expect(identity.renames.map((r) => r.connectionId).sort()).toEqual(
      [ids.tgConn, ids.discordConn, ids.slackConn].sort(),
    );
    await stack.producer.enqueueDeliveries(identity.renames);
    await allDone(c.id);
    await waitFor(() => names(threads).telegram === 'Ada <b>Lovelace</b>', { what: 'telegram topic renamed' });
    const renamed = names(threads);
    expect(renamed.discord).toBe('Ada <b>Lovelace</b>');
    expect(renamed.slack).toBe('New conversation: Ada <b>Lovelace</b>');
    // Slack's parent post is still the thread's card, metadata included (so an interrupted delivery finds it).
    expect(renamed.slackRoot?.text).toBe('New conversation: Ada &lt;b&gt;Lovelace&lt;/b&gt;');
    expect(renamed.slackRoot?.metadata?.event_payload).toMatchObject({ conversation_id: c.id });
    expect(telegram.callsOf('editForumTopic').length - editsBefore).toBe(1);
    const renameRows = await db.outboxEvent.findMany({ where: { organizationId, kind: 'bridge.rename' } });
    expect(renameRows.every((r) => r.status === 'done')).toBe(true);

    // The same identity again changes no title: nothing is queued.
    const again = await applyVisitorIdentity(db, organizationId, c.visitorId, {
      externalId: 'u-ada',
      verified: false,
      name: 'Ada <b>Lovelace</b>',
      email: 'ada@example.test',
    });
    expect(again.renames).toEqual([]);
  });

  it('renames from the pre-chat form too, and a rename before the thread exists is simply its first name', async () => {
    const c = await stack.newConversation(tenant, { pageUrl: 'https://shop.test/' });
    // Named before any message: the rows find no thread and end; the threads open with the name.
    const renames = await savePreChat(db, organizationId, {
      conversationId: c.id,
      visitorId: c.visitorId,
      email: 'grace@example.test',
    });
    expect(renames).toHaveLength(3);
    await stack.producer.enqueueDeliveries(renames);
    await allDone(c.id);
    await visitorSays(c.id, 'hello');
    const threads = await threadsOf(c.id);
    expect(names(threads)).toMatchObject({ telegram: 'grace@example.test', discord: 'grace@example.test' });
  });

  it('the visitor writes again after a close: the old thread links the new one, the new card mentions the old', async () => {
    const first = await stack.newConversation(tenant, { pageUrl: 'https://shop.test/docs' });
    await visitorSays(first.id, 'first question');
    const old = await threadsOf(first.id);
    await setConversationStatus(db, organizationId, first.id, 'closed');

    const second = await getOrCreateOpenConversation(db, organizationId, {
      projectId: tenant.projectId,
      visitorId: first.visitorId,
    });
    expect(second.id).not.toBe(first.id);
    await visitorSays(second.id, 'me again');
    const fresh = await threadsOf(second.id);
    const title = `Visitor #${visitorNumber(first.visitorId)} · /docs`;

    // Telegram: a t.me link to the new topic in the old one; the new card links the old topic.
    const internalChat = String(ids.chatId).replace(/^-100/, '');
    const oldTopicPosts = telegram.messages(ids.chatId, Number(old.tg.externalThreadId)).map((m) => m.text ?? '');
    expect(oldTopicPosts.at(-1)).toBe(
      `↪ The visitor wrote again — new conversation "${title}": https://t.me/c/${internalChat}/${fresh.tg.externalThreadId}`,
    );
    const newCard = telegram.messageObjects(ids.chatId, Number(fresh.tg.externalThreadId)).filter((m) => m.fromBot)[0];
    expect(newCard?.message.text).toContain(`↩ The visitor wrote before: ${title} (closed `);
    expect(JSON.stringify(newCard?.message.entities ?? [])).toContain(
      `https://t.me/c/${internalChat}/${old.tg.externalThreadId}`,
    );

    // Discord: links both ways.
    const guildId = discord.threads(ids.channelId).find((t) => t.id === old.dc.externalThreadId)!.guildId;
    const oldThreadPosts = discord.messages(old.dc.externalThreadId).map((m) => m.content);
    expect(oldThreadPosts.at(-1)).toContain(`https://discord.com/channels/${guildId}/${fresh.dc.externalThreadId}`);
    const newDiscordCard = discord.messages(fresh.dc.externalThreadId).find((m) => m.author.bot)?.content ?? '';
    expect(newDiscordCard).toContain('↩ The visitor wrote before:');
    expect(newDiscordCard).toContain(`https://discord.com/channels/${guildId}/${old.dc.externalThreadId}`);

    // Slack: no link without a call, so the old thread names the new one and the new card names the old.
    const oldSlackReplies = slack.messages(ids.slackChannel, old.sl.externalThreadId).map((m) => m.text);
    expect(oldSlackReplies.at(-1)).toContain('The visitor wrote again');
    const newRoot = slack.messages(ids.slackChannel).find((m) => m.ts === fresh.sl.externalThreadId);
    expect(JSON.stringify(newRoot?.blocks)).toContain('The visitor wrote before');

    // A visitor's first conversation mentions nothing.
    const firstCard = telegram.messages(ids.chatId, Number(old.tg.externalThreadId)).filter((m) => m.fromBot)[0];
    expect(firstCard?.text).not.toContain('wrote before');
  });
});
