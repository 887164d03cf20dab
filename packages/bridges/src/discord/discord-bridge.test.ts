import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type TFakeDiscord } from '@pocketping/testkit';
import { createDiscordBridge } from './discord-bridge.js';
import { discordInstallLink } from './install-link.js';
import { BridgeError } from '../bridge-error.js';
import type { TBridge, TBridgeTarget, TOutgoingMessage } from '../types.js';

// The bridge through discord.js's REST against the fake Discord (real HTTP, real wire format).
describe('Discord bridge', () => {
  let fake: TFakeDiscord;
  let bridge: TBridge;
  let target: TBridgeTarget;
  let guildId: string;
  let channelId: string;
  const card = {
    conversationId: 'cmconv0000000000000abcdef',
    visitorName: 'Ada @everyone',
    visitorEmail: 'ada@example.com',
    pageUrl: 'https://shop.example/',
    referrer: null,
    userAgent: 'Firefox',
    location: 'Paris',
  };
  const msg = (
    body: string,
    id = `cm${Math.random().toString(36).slice(2, 12).padEnd(23, '0')}`,
  ): TOutgoingMessage => ({ messageId: id, seq: 1, sender: 'visitor', authorName: null, body, source: 'widget' });

  beforeEach(async () => {
    fake = await startFakeDiscord();
    guildId = fake.addGuild({ name: 'Acme' }).id;
    channelId = fake.addTextChannel(guildId, { name: 'support' }).id;
    bridge = createDiscordBridge({
      apiUrl: fake.apiUrl,
      botToken: fake.token,
      applicationId: fake.applicationId,
      maxInlineRateLimitWaitMs: 1_500,
    });
    target = { connectionId: 'c1', credentials: { guildId, channelId }, targetId: channelId, targetScope: guildId };
  });
  afterEach(async () => {
    await fake.close();
  });

  it('validates: bot in the guild, a text channel, every needed permission', async () => {
    await expect(bridge.validateCredentials(target)).resolves.toMatchObject({
      summary: '@PocketPing in "Acme" #support',
      botId: fake.bot.id,
    });
    fake.removePermission(channelId, 'CreatePublicThreads');
    await expect(bridge.validateCredentials(target)).rejects.toThrow(/lacks Create Public Threads in #support/);
    const other = fake.addGuild({ botInGuild: false }).id;
    await expect(bridge.validateCredentials({ ...target, credentials: { guildId: other, channelId } })).rejects.toThrow(
      `not in that Discord server — add it with ${new URL('/oauth2/authorize', fake.apiUrl).toString()}?client_id=${fake.applicationId}`,
    );
  });

  /** What the pipeline does: open the thread (recorded at once), then post its card. */
  const openWithCard = async () => {
    const thread = await bridge.ensureThread(target, card);
    await bridge.postCard!(target, thread, card);
    return thread;
  };

  it('opens a public thread without a starter message, then the card as its first post; every post with empty allowed_mentions', async () => {
    const thread = await openWithCard();
    expect(thread.externalChatId).toBe(channelId);
    const created = fake.callsOf('POST /channels/:id/threads')[0]!;
    expect(created.body).toEqual({ name: 'Ada @everyone', type: 11, auto_archive_duration: 10080 });
    await bridge.send(target, thread, msg('hey @everyone and <@123> and @here'));
    const posts = fake.messages(thread.externalThreadId);
    expect(posts[0]!.content).toMatch(/^\*\*New conversation\*\*\n\*\*Name:\*\* Ada @everyone/);
    expect(posts[1]!.content).toBe('hey @everyone and \\<@123> and @here');
    for (const p of posts) expect(p.allowed_mentions).toEqual({ parse: [] });
    for (const c of fake.callsOf('POST /channels/:id/messages')) {
      expect(c.body).toMatchObject({ allowed_mentions: { parse: [] }, enforce_nonce: true });
      expect(String(c.body?.nonce).length).toBeLessThanOrEqual(25);
    }
  });

  it('uploads a file as multipart (files[0] + payload_json) with the sender label as caption; a retry returns the first upload', async () => {
    const thread = await bridge.ensureThread(target, card);
    const data = Buffer.from('%PDF-1.4 fake pdf bytes');
    const file = { name: 'invoice.pdf', contentType: 'application/pdf', size: data.length, data };
    const reply: TOutgoingMessage = {
      ...msg('', 'cmfile0000000000000000001'),
      sender: 'operator',
      authorName: 'Sam',
      source: 'slack',
    };
    const a = await bridge.sendAttachment!(target, thread, file, reply);
    const b = await bridge.sendAttachment!(target, thread, file, reply);
    expect(b.externalMessageId).toBe(a.externalMessageId);
    const posted = fake.messages(thread.externalThreadId).filter((m) => m.attachments?.length);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.content).toBe('**Sam (via Slack)**:');
    expect(posted[0]!.attachments![0]).toMatchObject({
      filename: 'invoice.pdf',
      size: data.length,
      content_type: 'application/pdf',
    });
    expect(fake.fileBytes(posted[0]!.attachments![0]!.url)?.equals(data)).toBe(true);
    const call = fake.callsOf('POST /channels/:id/messages').find((c) => c.files)!;
    expect(call.files).toEqual([
      { part: 'files[0]', filename: 'invoice.pdf', size: data.length, mimeType: 'application/pdf' },
    ]);
    expect(call.body).toMatchObject({
      allowed_mentions: { parse: [] },
      enforce_nonce: true,
      attachments: [{ id: 0, filename: 'invoice.pdf' }],
    });
  });

  it('reads attachments of an operator message and downloads them only from the CDN, within the size limit', async () => {
    const thread = await bridge.ensureThread(target, card);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(3000, 1)]);
    const m = fake.operatorWrites({
      guildId,
      threadId: thread.externalThreadId,
      content: '',
      files: [{ filename: 'screen.png', contentType: 'image/png', data: png }],
    });
    const event = {
      t: 'MESSAGE_CREATE',
      s: 1,
      d: {
        id: m.id,
        channel_id: m.channel_id,
        guild_id: guildId,
        type: 0,
        content: '',
        author: m.author,
        attachments: m.attachments,
      },
      parent_id: channelId,
    };
    const action = bridge.parseInbound(target, event);
    expect(action).toMatchObject({
      type: 'message',
      text: '',
      files: [{ name: 'screen.png', contentType: 'image/png', size: png.length }],
    });
    if (action.type !== 'message') throw new Error('expected a message');
    const file = action.files![0]!;
    const got = await bridge.downloadFile!(target, file, 1024 * 1024);
    expect(Buffer.from(got.data).equals(png)).toBe(true);
    // Past the limit: by the announced size, and while reading when the announcement lies.
    await expect(bridge.downloadFile!(target, file, 1000)).rejects.toMatchObject({ kind: 'rejected' });
    await expect(bridge.downloadFile!(target, { ...file, size: null }, 1000)).rejects.toMatchObject({
      kind: 'rejected',
    });
    // A url that is not Discord's CDN (nor the configured API host) is never fetched.
    await expect(
      bridge.downloadFile!(target, { ...file, ref: 'http://169.254.169.254/latest/meta-data' }, 1024 * 1024),
    ).rejects.toThrow(/not on Discord's CDN/);
  });

  it('a retried send (same message) returns the first post: nonce + enforce_nonce', async () => {
    const thread = await bridge.ensureThread(target, card);
    const m = msg('only once');
    const a = await bridge.send(target, thread, m);
    const b = await bridge.send(target, thread, m);
    expect(b.externalMessageId).toBe(a.externalMessageId);
    expect(fake.messages(thread.externalThreadId).filter((x) => x.content === 'only once')).toHaveLength(1);
  });

  it("the AI's call for a person (a system note from the AI) pings @here; an operator's note never does", async () => {
    const thread = await openWithCard();
    const handoff: TOutgoingMessage = {
      ...msg('🙋 handoff: wants a refund'),
      sender: 'system',
      visibility: 'internal',
      source: 'ai',
      authorName: 'Pip',
    };
    await bridge.send(target, thread, handoff);
    await bridge.send(target, thread, {
      ...handoff,
      messageId: msg('').messageId,
      sender: 'operator',
      source: 'telegram',
      body: '@here look',
    });
    const [, ping, note] = fake.messages(thread.externalThreadId);
    expect(ping!.content).toMatch(/^@here 📝 \*\*Note by Pip/);
    expect(ping!.allowed_mentions).toEqual({ parse: ['everyone'] });
    expect(note!.allowed_mentions).toEqual({ parse: [] });
  });

  it('splits content over 2000 characters; edit and remove cover every part', async () => {
    const thread = await openWithCard();
    const m = msg('a'.repeat(2500));
    const { externalMessageId } = await bridge.send(target, thread, m);
    const ids = externalMessageId.split('+');
    expect(ids).toHaveLength(2);
    const posts = fake.messages(thread.externalThreadId).slice(1);
    expect(posts.map((p) => p.content.length)).toEqual([2000, 500]);
    await bridge.edit(target, thread, externalMessageId, { ...m, body: 'short now' });
    expect(
      fake
        .messages(thread.externalThreadId)
        .filter((p) => !p.deleted)
        .map((p) => p.content)
        .slice(1),
    ).toEqual(['short now']);
    await bridge.remove(target, thread, externalMessageId);
    await bridge.remove(target, thread, externalMessageId); // idempotent: Unknown Message is success
    expect(
      fake
        .messages(thread.externalThreadId)
        .slice(1)
        .every((p) => p.deleted),
    ).toBe(true);
  });

  it('classifies failures: long 429 → rate_limited, short 429 absorbed, 401, 403, deleted thread / channel', async () => {
    const thread = await bridge.ensureThread(target, card);
    fake.failNext('POST /channels/:id/messages', { status: 429, retryAfter: 0.3 });
    await expect(bridge.send(target, thread, msg('after a short wait'))).resolves.toBeDefined();

    fake.removePermission(channelId, 'SendMessagesInThreads');
    await expect(bridge.send(target, thread, msg('x'))).rejects.toMatchObject({
      kind: 'forbidden',
      platformCode: 50013,
      message: expect.stringMatching(/lost permission to post in channel/) as unknown,
    });
    fake.restorePermission(channelId, 'SendMessagesInThreads');

    fake.deleteThread(thread.externalThreadId);
    await expect(bridge.send(target, thread, msg('x'))).rejects.toMatchObject({ kind: 'thread_gone' });
    fake.deleteChannel(channelId);
    await expect(bridge.ensureThread(target, card)).rejects.toMatchObject({ kind: 'target_gone', isBreaking: true });

    fake.revokeToken();
    await expect(bridge.validateCredentials(target)).rejects.toMatchObject({ kind: 'unauthorized' });
    fake.restoreToken();
    // discord.js drops its token after a 401; the bridge sets the shared one again on the next call.
    await expect(bridge.validateCredentials({ ...target })).rejects.toMatchObject({ kind: 'target_gone' });

    // Last: after a long 429 discord.js holds that bucket until the reset, as Discord expects.
    const other = fake.addTextChannel(guildId).id;
    const t2 = await bridge.ensureThread(
      { ...target, credentials: { guildId, channelId: other }, targetId: other },
      card,
    );
    fake.failNext('POST /channels/:id/messages', { status: 429, retryAfter: 30 });
    const long = await bridge.send(target, t2, msg('storm')).catch((e: unknown) => e);
    expect(long).toBeInstanceOf(BridgeError);
    expect(long).toMatchObject({ kind: 'rate_limited' });
    expect((long as BridgeError).retryAfterMs).toBeGreaterThanOrEqual(30_000);
    expect(fake.messages(t2.externalThreadId).some((p) => p.content === 'storm')).toBe(false);
  });

  it('a kicked bot is forbidden with a readable reason; an archived, locked thread is reopened', async () => {
    const thread = await bridge.ensureThread(target, card);
    fake.archiveThread(thread.externalThreadId, { locked: true });
    await bridge.send(target, thread, msg('reopened'));
    expect(fake.threads(channelId)[0]).toMatchObject({ archived: false, locked: false });
    fake.kickBot(guildId);
    await expect(bridge.send(target, thread, msg('x'))).rejects.toMatchObject({
      kind: 'forbidden',
      platformCode: 50001,
      message: expect.stringMatching(/removed from the Discord server/) as unknown,
    });
  });

  it('parses gateway dispatches only from the connection guild and channel, never from bots', () => {
    const d = {
      id: '1300000000000000001',
      channel_id: '1300000000000000002',
      guild_id: guildId,
      type: 0,
      content: 'hello',
      author: { id: '1300000000000000003', username: 'sarah', global_name: 'Sarah' },
    };
    const ev = (over: Record<string, unknown> = {}, t = 'MESSAGE_CREATE', parent = channelId) => ({
      t,
      s: 5,
      d: { ...d, ...over },
      parent_id: parent,
    });
    expect(bridge.parseInbound(target, ev())).toEqual({
      type: 'message',
      thread: { externalChatId: channelId, externalThreadId: d.channel_id },
      externalMessageId: d.id,
      authorName: 'Sarah',
      text: 'hello',
    });
    expect(bridge.parseInbound(target, ev({ guild_id: '1399999999999999999' }))).toMatchObject({ type: 'ignore' });
    expect(bridge.parseInbound(target, ev({}, 'MESSAGE_CREATE', '1399999999999999999'))).toMatchObject({
      type: 'ignore',
    });
    expect(bridge.parseInbound(target, ev({ author: { ...d.author, bot: true } }))).toMatchObject({
      type: 'ignore',
      reason: 'message from a bot',
    });
    expect(
      bridge.parseInbound(
        target,
        ev({ edited_timestamp: '2025-01-01T00:00:00Z', content: 'hello!' }, 'MESSAGE_UPDATE'),
      ),
    ).toMatchObject({ type: 'edit', text: 'hello!' });
    expect(
      bridge.parseInbound(target, {
        t: 'MESSAGE_DELETE',
        d: { id: d.id, channel_id: d.channel_id, guild_id: guildId },
        parent_id: channelId,
      }),
    ).toMatchObject({ type: 'delete', externalMessageId: d.id });
    expect(bridge.parseInbound(target, { hostile: true })).toMatchObject({ type: 'ignore' });
    expect(bridge.inboundDeliveryId(ev())).toBe(`MESSAGE_CREATE:${d.id}:`);
  });

  it('builds the install link with the minimal permissions', () => {
    const link = new URL(discordInstallLink('1234567890123456789'));
    expect(link.origin + link.pathname).toBe('https://discord.com/oauth2/authorize');
    expect(link.searchParams.get('scope')).toBe('bot');
    // The consent screen is on the API's host: a DISCORD_API_URL moved to a fake (local demo) moves it too.
    const local = new URL(discordInstallLink('1234567890123456789', 'http://127.0.0.1:8083/api'));
    expect(local.origin + local.pathname).toBe('http://127.0.0.1:8083/oauth2/authorize');
    expect(local.search).toBe(link.search);
    // View Channel, Send Messages, Manage Threads, Create Public Threads, Send Messages in Threads, Attach Files, Read Message History.
    expect(link.searchParams.get('permissions')).toBe(
      String((1n << 10n) | (1n << 11n) | (1n << 15n) | (1n << 16n) | (1n << 34n) | (1n << 35n) | (1n << 38n)),
    );
  });
});
