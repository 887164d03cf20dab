import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The bridges package does not depend on the testkit; the fake is a plain module with no workspace imports.
import { startFakeSlack, type TFakeSlack } from '../../../testkit/src/fake-slack.js';
import { isBridgeError, type BridgeError } from '../bridge-error.js';
import type { TBridgeTarget, TOutgoingMessage } from '../types.js';
import { connectSlackWithToken } from './connect-slack.js';
import { createSlackBridge } from './slack-bridge.js';

// The real @slack/web-api WebClient, through the bridge, against the fake Slack's wire format.
let slack: TFakeSlack;
let bridge: ReturnType<typeof createSlackBridge>;
let target: TBridgeTarget;
let teamId: string;
let channel: string;
let bot: { token: string; botUserId: string; botId: string };

const card = {
  conversationId: 'conv_abcdef',
  visitorName: 'Ada <!here>',
  visitorEmail: 'ada@example.test',
  pageUrl: 'https://shop.example/pricing',
  referrer: null,
  userAgent: 'Firefox',
  location: 'Paris',
};
const msg = (body: string, extra: Partial<TOutgoingMessage> = {}): TOutgoingMessage => ({
  messageId: 'm1',
  seq: 1,
  sender: 'visitor',
  authorName: null,
  body,
  source: 'widget',
  ...extra,
});
const failure = async (p: Promise<unknown>): Promise<BridgeError> => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isBridgeError(err)) throw new Error(`expected a BridgeError, got ${String(err)}`);
  return err;
};

beforeAll(async () => {
  slack = await startFakeSlack();
  teamId = slack.addTeam({ name: 'Acme' }).id;
  bot = slack.addBot({ teamId });
  channel = slack.addChannel({ teamId, name: 'support' }).id;
  bridge = createSlackBridge({ apiUrl: slack.apiUrl });
  const draft = await connectSlackWithToken({ apiUrl: slack.apiUrl, botToken: bot.token, channelId: channel });
  target = {
    connectionId: 'conn_test',
    credentials: draft.credentials,
    targetId: draft.targetId,
    targetScope: draft.targetScope,
  };
});
afterAll(async () => {
  await slack?.close();
});

describe('connectSlackWithToken', () => {
  it('validates with auth.test + conversations.info, and joins the channel', () => {
    expect(target.credentials).toEqual({ botToken: bot.token, teamId, botUserId: bot.botUserId, botId: bot.botId });
    expect(slack.callsOf('auth.test')).toHaveLength(1);
    expect(slack.callsOf('conversations.join')[0]!.params.channel).toBe(channel);
  });

  it('refuses a non-bot token, an unknown token, a missing channel and a private channel it is not in', async () => {
    expect(
      (await failure(connectSlackWithToken({ apiUrl: slack.apiUrl, botToken: 'xoxp-user-token', channelId: channel })))
        .kind,
    ).toBe('unauthorized');
    expect(
      (
        await failure(
          connectSlackWithToken({
            apiUrl: slack.apiUrl,
            botToken: 'xoxb-0000-0000-nottherightone',
            channelId: channel,
          }),
        )
      ).kind,
    ).toBe('unauthorized');
    expect(
      (await failure(connectSlackWithToken({ apiUrl: slack.apiUrl, botToken: bot.token, channelId: 'C0NOPE' }))).kind,
    ).toBe('target_gone');
    const secret = slack.addChannel({ teamId, name: 'secret', isPrivate: true }).id;
    expect(
      (await failure(connectSlackWithToken({ apiUrl: slack.apiUrl, botToken: bot.token, channelId: secret }))).kind,
    ).toBe('target_gone');
  });
});

describe('slack bridge against the fake', () => {
  it('validateCredentials describes the bot and channel', async () => {
    await expect(bridge.validateCredentials(target)).resolves.toEqual({
      summary: `@pocketping in #support (Acme)`,
      botId: bot.botUserId,
    });
  });

  it('ensureThread posts the visitor card as the parent; send replies in its thread, escaped, without unfurls', async () => {
    const thread = await bridge.ensureThread(target, card);
    expect(thread.externalChatId).toBe(channel);
    const parent = slack.messages(channel).find((m) => m.ts === thread.externalThreadId)!;
    expect(parent.threadTs).toBeUndefined();
    expect(parent.text).toBe('New conversation: Ada &lt;!here&gt;');
    expect(JSON.stringify(parent.blocks)).toContain('ada@example.test');

    const { externalMessageId } = await bridge.send(
      target,
      thread,
      msg('<!channel> ping <@U123> <https://evil.example|click> & co'),
    );
    const reply = slack.messages(channel, thread.externalThreadId).find((m) => m.ts === externalMessageId)!;
    expect(reply.threadTs).toBe(thread.externalThreadId);
    expect(reply.text).toBe('&lt;!channel&gt; ping &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp; co');
    // Form-encoded by the SDK: booleans arrive as strings, as on Slack.
    expect(reply.options).toMatchObject({ unfurl_links: 'false', unfurl_media: 'false', link_names: 'false' });
  });

  it('edit = chat.update, remove = chat.delete (idempotent)', async () => {
    const thread = await bridge.ensureThread(target, card);
    const { externalMessageId } = await bridge.send(target, thread, msg('first'));
    await bridge.edit(target, thread, externalMessageId, msg('second & last'));
    expect(slack.messages(channel).find((m) => m.ts === externalMessageId)).toMatchObject({
      text: 'second &amp; last',
      edited: true,
    });
    await bridge.remove(target, thread, externalMessageId);
    expect(slack.messages(channel).find((m) => m.ts === externalMessageId)!.deleted).toBe(true);
    await expect(bridge.remove(target, thread, externalMessageId)).resolves.toBeUndefined();
  });

  it('a 429 becomes rate_limited with Retry-After, at once (the SDK neither waits nor retries)', async () => {
    const thread = await bridge.ensureThread(target, card);
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
    const started = Date.now();
    const err = await failure(bridge.send(target, thread, msg('hi')));
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(bridge.send(target, thread, msg('hi again'))).resolves.toHaveProperty('externalMessageId');
  });

  it('a deleted parent makes the reply thread_gone, so the pipeline opens a new parent', async () => {
    const thread = await bridge.ensureThread(target, card);
    await slack.delete({ channel, ts: thread.externalThreadId });
    expect((await failure(bridge.send(target, thread, msg('still there?')))).kind).toBe('thread_gone');
  });

  it('revoked token → unauthorized; kicked bot → forbidden; archived channel → target_gone; each with a readable reason', async () => {
    const b2 = slack.addBot({ teamId });
    const ch2 = slack.addChannel({ teamId, name: 'sales', members: [b2.botUserId] }).id;
    const t2: TBridgeTarget = {
      connectionId: 'c2',
      credentials: { botToken: b2.token, teamId, botUserId: b2.botUserId },
      targetId: ch2,
      targetScope: teamId,
    };
    const thread = await bridge.ensureThread(t2, card);

    slack.removeFromChannel(ch2, b2.botUserId);
    const kicked = await failure(bridge.send(t2, thread, msg('x')));
    expect(kicked.kind).toBe('forbidden');
    expect(kicked.message).toContain('removed from the Slack channel');

    slack.archiveChannel(ch2);
    expect((await failure(bridge.ensureThread(t2, card))).kind).toBe('target_gone');

    slack.revokeToken(b2.token);
    const revoked = await failure(bridge.send(t2, thread, msg('x')));
    expect(revoked).toMatchObject({ kind: 'unauthorized', platformCode: 'token_revoked' });
    expect(revoked.isBreaking).toBe(true);
  });

  it('resolveUserName reads users.info once per user and connection, then caches', async () => {
    const sarah = slack.addUser({ teamId, name: 'sarah', displayName: 'Sarah', realName: 'Sarah Connor' });
    const before = slack.callsOf('users.info').length;
    expect(await bridge.resolveUserName(target, sarah.id)).toBe('Sarah');
    expect(await bridge.resolveUserName(target, sarah.id)).toBe('Sarah');
    expect(slack.callsOf('users.info').length - before).toBe(1);
  });

  it('parses the real event the fake delivers for an operator reply', async () => {
    const thread = await bridge.ensureThread(target, card);
    const sarah = slack.addUser({ teamId, name: 'sarah2' });
    // No events URL: the delivery fails, but the payload it built is what Slack would send.
    const { deliveries, ts } = await slack.operatorWrites({
      channel,
      thread_ts: thread.externalThreadId,
      text: 'On it <@U0X|bob> &amp; done',
      user: sarah.id,
    });
    const action = bridge.parseInbound(target, deliveries[0]!.payload);
    expect(action).toMatchObject({ type: 'message', thread, externalMessageId: ts, text: 'On it @bob & done' });
  });

  it('sendAttachment uploads into the thread (getUploadURLExternal → upload_url → completeUploadExternal); remove deletes the file', async () => {
    const thread = await bridge.ensureThread(target, card);
    const data = Buffer.from('%PDF-1.4 quote');
    const file = { name: 'quote.pdf', contentType: 'application/pdf', size: data.length, data };
    const { externalMessageId } = await bridge.sendAttachment(
      target,
      thread,
      file,
      msg('', { sender: 'operator', authorName: 'Sam <!here>', source: 'telegram' }),
    );
    expect(externalMessageId).toMatch(/^F/);
    const stored = slack.files().find((f) => f.id === externalMessageId)!;
    expect(stored).toMatchObject({ name: 'quote.pdf', channel, threadTs: thread.externalThreadId });
    expect(stored.data.equals(data)).toBe(true);
    // The caption is the escaped sender label, never a mention.
    expect(stored.initialComment).toBe('*Sam &lt;!here&gt; (via Telegram)*: ');
    expect(slack.callsOf('files.getUploadURLExternal').at(-1)!.params).toMatchObject({
      filename: 'quote.pdf',
      length: String(data.length),
    });

    // A bare visitor file has no caption.
    const visitorFile = await bridge.sendAttachment(target, thread, { ...file, name: 'v.pdf' }, msg(''));
    expect(slack.files().find((f) => f.id === visitorFile.externalMessageId)!.initialComment).toBeUndefined();

    await bridge.edit(target, thread, externalMessageId, msg('caption edits are a no-op'));
    await bridge.remove(target, thread, externalMessageId);
    expect(slack.files().find((f) => f.id === externalMessageId)!.deleted).toBe(true);
    await expect(bridge.remove(target, thread, externalMessageId)).resolves.toBeUndefined();
  });

  it('sendAttachment into a deleted parent is thread_gone; a 429 on the upload steps is rate_limited', async () => {
    const thread = await bridge.ensureThread(target, card);
    const file = { name: 'a.txt', contentType: 'text/plain', size: 2, data: Buffer.from('hi') };
    slack.failNext('files.getUploadURLExternal', { status: 429, retryAfter: 3 });
    expect(await failure(bridge.sendAttachment(target, thread, file, msg('')))).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 3_000,
    });
    await slack.delete({ channel, ts: thread.externalThreadId });
    expect((await failure(bridge.sendAttachment(target, thread, file, msg('')))).kind).toBe('thread_gone');
  });

  it('downloadFile fetches an operator file with the bot token, stops past maxBytes, never sends the token elsewhere', async () => {
    const thread = await bridge.ensureThread(target, card);
    const u = slack.addUser({ teamId, name: 'filer' });
    const { deliveries } = await slack.operatorWrites({
      channel,
      thread_ts: thread.externalThreadId,
      text: 'see',
      user: u.id,
      files: [{ name: 'shot.png', mimetype: 'image/png', data: Buffer.alloc(2048, 7) }],
    });
    const action = bridge.parseInbound(target, deliveries[0]!.payload);
    if (action.type !== 'message' || !action.files) throw new Error('expected a message with files');
    expect(action.files).toHaveLength(1);
    const got = await bridge.downloadFile(target, action.files[0]!, 10_000);
    expect(got).toMatchObject({ name: 'shot.png', contentType: 'image/png' });
    expect(Buffer.from(got.data).equals(Buffer.alloc(2048, 7))).toBe(true);

    expect(await failure(bridge.downloadFile(target, action.files[0]!, 1_000))).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('larger than'),
    });
    // Announced size unknown: the limit still holds while streaming.
    expect((await failure(bridge.downloadFile(target, { ...action.files[0]!, size: null }, 1_000))).kind).toBe(
      'rejected',
    );
    expect(
      await failure(bridge.downloadFile(target, { ...action.files[0]!, ref: 'https://evil.example/steal' }, 10_000)),
    ).toMatchObject({ kind: 'rejected', message: expect.stringContaining('not hosted by Slack') });
    // A token without access gets Slack's sign-in page: refused, not stored as the file.
    const b3 = slack.addBot({ teamId });
    slack.revokeToken(b3.token);
    const t3: TBridgeTarget = {
      ...target,
      connectionId: 'c3',
      credentials: { botToken: b3.token, teamId, botUserId: b3.botUserId },
    };
    expect(await failure(bridge.downloadFile(t3, action.files[0]!, 10_000))).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('files:read'),
    });
  });
});
