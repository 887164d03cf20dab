import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import WebSocket from 'ws';
import { startFakeSlack, type TFakeSlack } from './fake-slack.js';

// The fake against the official WebClient (form-encoded bodies, Bearer auth) and raw HTTP/WebSocket clients.
let slack: TFakeSlack;
let receiver: Server;
const received: { headers: IncomingMessage['headers']; body: string }[] = [];
let teamId: string;
let channel: string;
let bot: { token: string; botUserId: string; botId: string };
let wc: WebClient;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  slack = await startFakeSlack({ eventsUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events` });
  teamId = slack.addTeam({ name: 'Acme' }).id;
  bot = slack.addBot({ teamId });
  channel = slack.addChannel({ teamId, name: 'support', members: [bot.botUserId] }).id;
  wc = new WebClient(bot.token, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
});
afterAll(async () => {
  await slack?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe('fake Slack Web API', () => {
  it('answers auth.test for a bot token and records the call', async () => {
    const res = await wc.auth.test();
    expect(res).toMatchObject({ ok: true, team_id: teamId, user_id: bot.botUserId, bot_id: bot.botId, team: 'Acme' });
    expect(slack.callsOf('auth.test').at(-1)!.token).toBe(bot.token);
  });

  it('answers errors as HTTP 200 {ok:false,error}: not_authed, invalid_auth, token_revoked', async () => {
    const noToken = await fetch(`${slack.apiUrl}auth.test`, { method: 'POST' });
    expect(noToken.status).toBe(200);
    expect(await noToken.json()).toEqual({ ok: false, error: 'not_authed' });
    await expect(
      new WebClient('xoxb-wrong', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }).auth.test(),
    ).rejects.toMatchObject({ data: { ok: false, error: 'invalid_auth' } });
    const b2 = slack.addBot({ teamId });
    slack.revokeToken(b2.token);
    await expect(
      new WebClient(b2.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }).auth.test(),
    ).rejects.toMatchObject({ data: { error: 'token_revoked' } });
  });

  it('takes JSON bodies with a Bearer header, and a token form field', async () => {
    const json = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bot.token}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel, text: 'json', unfurl_links: false }),
    });
    expect(await json.json()).toMatchObject({ ok: true, channel, ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    const form = await fetch(`${slack.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${bot.token}`,
    });
    expect(await form.json()).toMatchObject({ ok: true });
    // A JSON body cannot carry the token (as on Slack).
    const jsonToken = await fetch(`${slack.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: bot.token }),
    });
    expect(await jsonToken.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('posts a parent and thread replies; refuses unknown threads, channels and non-members', async () => {
    const parent = await wc.chat.postMessage({
      channel,
      text: 'card',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }],
    });
    const reply = await wc.chat.postMessage({ channel, thread_ts: parent.ts!, text: 'reply' });
    expect(reply.message).toMatchObject({
      thread_ts: parent.ts,
      bot_id: bot.botId,
      user: bot.botUserId,
      text: 'reply',
    });
    expect(slack.messages(channel, parent.ts!).map((m) => m.text)).toEqual(['card', 'reply']);
    await expect(wc.chat.postMessage({ channel, thread_ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { error: 'thread_not_found' },
    });
    await expect(wc.chat.postMessage({ channel: 'C0NONE', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    const other = slack.addChannel({ teamId, name: 'random' }).id;
    await expect(wc.chat.postMessage({ channel: other, text: 'x' })).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    await expect(wc.chat.postMessage({ channel, text: '' })).rejects.toMatchObject({ data: { error: 'no_text' } });
  });

  it('message metadata is stored; conversations.replies pages a thread, bounded by oldest, metadata only when asked', async () => {
    const parent = await wc.chat.postMessage({ channel, text: 'card' });
    const metadata = { event_type: 'pocketping_message', event_payload: { message_id: 'm1' } };
    const a = await wc.chat.postMessage({ channel, thread_ts: parent.ts!, text: 'a', metadata });
    const b = await wc.chat.postMessage({ channel, thread_ts: parent.ts!, text: 'b' });
    const all = await wc.conversations.replies({ channel, ts: parent.ts!, include_all_metadata: true });
    expect(all.messages?.map((m) => [m.text, m.metadata?.event_payload])).toEqual([
      ['card', undefined],
      ['a', { message_id: 'm1' }],
      ['b', undefined],
    ]);
    expect((await wc.conversations.replies({ channel, ts: parent.ts! })).messages?.[1]?.metadata).toBeUndefined();
    // oldest is exclusive unless inclusive=true; limit + cursor page through the rest.
    expect(
      (await wc.conversations.replies({ channel, ts: parent.ts!, oldest: a.ts! })).messages?.map((m) => m.text),
    ).toEqual(['b']);
    const first = await wc.conversations.replies({ channel, ts: parent.ts!, oldest: a.ts!, inclusive: true, limit: 1 });
    expect([first.messages?.map((m) => m.text), first.has_more]).toEqual([['a'], true]);
    const second = await wc.conversations.replies({
      channel,
      ts: parent.ts!,
      oldest: a.ts!,
      inclusive: true,
      limit: 1,
      cursor: first.response_metadata!.next_cursor!,
    });
    expect([second.messages?.map((m) => m.ts), second.has_more]).toEqual([[b.ts], false]);
    await expect(wc.conversations.replies({ channel, ts: '1.000001' })).rejects.toMatchObject({
      data: { error: 'thread_not_found' },
    });
    // conversations.history: top-level messages only, newest first, same bounds and metadata rule.
    const top = await wc.chat.postMessage({
      channel,
      text: 'card 2',
      metadata: { event_type: 'pocketping_conversation', event_payload: { conversation_id: 'c1' } },
    });
    const history = await wc.conversations.history({
      channel,
      oldest: parent.ts!,
      inclusive: true,
      include_all_metadata: true,
    });
    expect(history.messages?.map((m) => [m.text, m.metadata?.event_payload])).toEqual([
      ['card 2', { conversation_id: 'c1' }],
      ['card', undefined],
    ]);
    expect((await wc.conversations.history({ channel, oldest: parent.ts! })).messages?.map((m) => m.ts)).toEqual([
      top.ts,
    ]);
    await expect(
      wc.chat.postMessage({ channel, text: 'x', metadata: { event_type: '', event_payload: {} } }),
    ).rejects.toMatchObject({ data: { error: 'invalid_metadata_schema' } });
  });

  it('failNext: 429 with a Retry-After header, or a platform error', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 12 });
    const raw = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bot.token}` },
      body: new URLSearchParams({ channel, text: 'x' }),
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('12');
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 3 });
    await expect(wc.chat.postMessage({ channel, text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 3,
    });
    slack.failNext('chat.postMessage', { error: 'is_archived' });
    await expect(wc.chat.postMessage({ channel, text: 'x' })).rejects.toMatchObject({ data: { error: 'is_archived' } });
    await expect(wc.chat.postMessage({ channel, text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('OAuth v2: the consent screen redirects with code + state; oauth.v2.access trades it once', async () => {
    const redirect = 'http://127.0.0.1:1/cb';
    const consent = await fetch(
      `${slack.authorizeUrl}?client_id=${slack.clientId}&scope=chat:write&redirect_uri=${encodeURIComponent(redirect)}&state=abc`,
      { redirect: 'manual' },
    );
    const back = new URL(consent.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('abc');
    const anon = new WebClient(undefined, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const code = back.searchParams.get('code')!;
    const access = await anon.oauth.v2.access({
      client_id: slack.clientId,
      client_secret: slack.clientSecret,
      code,
      redirect_uri: redirect,
    });
    expect(access).toMatchObject({
      ok: true,
      token_type: 'bot',
      access_token: expect.stringMatching(/^xoxb-/),
      bot_user_id: expect.stringMatching(/^U/),
      team: { id: teamId, name: 'Acme' },
    });
    await expect(
      anon.oauth.v2.access({
        client_id: slack.clientId,
        client_secret: slack.clientSecret,
        code,
        redirect_uri: redirect,
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_code' } });
    await expect(
      anon.oauth.v2.access({
        client_id: slack.clientId,
        client_secret: 'wrong',
        code: slack.issueOAuthCode({ teamId }),
      }),
    ).rejects.toMatchObject({ data: { error: 'bad_client_secret' } });
  });

  it('users.info, conversations.list/info/join', async () => {
    const u = slack.addUser({ teamId, name: 'sarah', displayName: 'Sarah' });
    expect((await wc.users.info({ user: u.id })).user).toMatchObject({
      id: u.id,
      name: 'sarah',
      profile: { display_name: 'Sarah' },
    });
    const list = await wc.conversations.list({ types: 'public_channel', exclude_archived: true });
    expect(list.channels!.map((c) => c.name)).toEqual(expect.arrayContaining(['support', 'random']));
    const random = list.channels!.find((c) => c.name === 'random')!;
    expect(random.is_member).toBe(false);
    await wc.conversations.join({ channel: random.id! });
    expect((await wc.conversations.info({ channel: random.id! })).channel).toMatchObject({ is_member: true });
  });
});

describe('fake Slack Events API', () => {
  it('delivers an operator reply as a signed event_callback, and retries with X-Slack-Retry-Num', async () => {
    const parent = await wc.chat.postMessage({ channel, text: 'card' });
    const u = slack.addUser({ teamId, name: 'olivia' });
    received.length = 0;
    const { eventId, ts, deliveries } = await slack.operatorWrites({
      channel,
      thread_ts: parent.ts!,
      text: 'hello',
      user: u.id,
      retries: 2,
    });
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(received).toHaveLength(3);
    const first = received[0]!;
    const body = JSON.parse(first.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'event_callback',
      team_id: teamId,
      event_id: eventId,
      event: { type: 'message', channel, user: u.id, text: 'hello', ts, thread_ts: parent.ts },
    });
    const tsHeader = String(first.headers['x-slack-request-timestamp']);
    expect(first.headers['x-slack-signature']).toBe(
      `v0=${createHmac('sha256', slack.signingSecret).update(`v0:${tsHeader}:${first.body}`).digest('hex')}`,
    );
    expect(first.headers['x-slack-retry-num']).toBeUndefined();
    expect(received.map((r) => r.headers['x-slack-retry-num'])).toEqual([undefined, '1', '2']);
    expect(new Set(received.map((r) => (JSON.parse(r.body) as { event_id: string }).event_id)).size).toBe(1);
  });

  it('edit and delete produce message_changed / message_deleted with the thread in message / previous_message', async () => {
    const parent = await wc.chat.postMessage({ channel, text: 'card' });
    const u = slack.addUser({ teamId, name: 'olivia2' });
    const { ts } = await slack.operatorWrites({ channel, thread_ts: parent.ts!, text: 'v1', user: u.id });
    const changed = await slack.edit({ channel, ts, text: 'v2' });
    expect(changed.payload).toMatchObject({
      event: {
        type: 'message',
        subtype: 'message_changed',
        channel,
        message: { ts, thread_ts: parent.ts, text: 'v2', edited: { user: u.id } },
        previous_message: { text: 'v1' },
      },
    });
    const deleted = await slack.delete({ channel, ts });
    expect(deleted.payload).toMatchObject({
      event: { subtype: 'message_deleted', deleted_ts: ts, previous_message: { ts, thread_ts: parent.ts } },
    });
  });

  it('Socket Mode: apps.connections.open → wss URL, hello, events_api envelopes acked by envelope_id', async () => {
    const appToken = slack.enableSocketMode();
    const open = await new WebClient(appToken, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
    }).apps.connections.open();
    expect(open.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);
    await expect(
      new WebClient(bot.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }).apps.connections.open(),
    ).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });

    const ws = new WebSocket(open.url!);
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (d: Buffer) => {
      const f = JSON.parse(d.toString()) as Record<string, unknown>;
      frames.push(f);
      if (typeof f.envelope_id === 'string') ws.send(JSON.stringify({ envelope_id: f.envelope_id, payload: {} }));
    });
    await new Promise<void>((r) => ws.once('open', () => r()));
    received.length = 0;
    const parent = await wc.chat.postMessage({ channel, text: 'card' });
    const u = slack.addUser({ teamId, name: 'sock' });
    const { deliveries } = await slack.operatorWrites({
      channel,
      thread_ts: parent.ts!,
      text: 'via socket',
      user: u.id,
    });
    expect(deliveries[0]).toMatchObject({ status: 'socket', body: '' });
    expect(frames[0]).toMatchObject({ type: 'hello' });
    expect(frames[1]).toMatchObject({
      type: 'events_api',
      envelope_id: expect.any(String),
      retry_attempt: 0,
      payload: { type: 'event_callback', event: { text: 'via socket' } },
    });
    // Socket Mode replaces the Request URL.
    expect(received).toHaveLength(0);
    ws.close();
  });
});

describe('fake Slack files and uninstall', () => {
  it('files.getUploadURLExternal → upload_url (raw bytes) → files.completeUploadExternal shares into a thread', async () => {
    const parent = await wc.chat.postMessage({ channel, text: 'card' });
    const bytes = Buffer.from('%PDF-1.4 fake pdf bytes');
    const up = await wc.files.getUploadURLExternal({ filename: 'quote.pdf', length: bytes.length });
    expect(up).toMatchObject({
      ok: true,
      upload_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/upload\/v1\//),
      file_id: expect.stringMatching(/^F/),
    });
    // Completing before the bytes arrived is refused; a wrong length is refused at the upload.
    await expect(
      wc.files.completeUploadExternal({ files: [{ id: up.file_id! }], channel_id: channel, thread_ts: parent.ts! }),
    ).rejects.toMatchObject({ data: { error: 'file_not_found' } });
    expect((await fetch(up.upload_url!, { method: 'POST', body: bytes.subarray(1) })).status).toBe(400);
    const res = await fetch(up.upload_url!, { method: 'POST', body: bytes });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`OK - ${bytes.length}`);
    const done = await wc.files.completeUploadExternal({
      files: [{ id: up.file_id!, title: 'Quote' }],
      channel_id: channel,
      thread_ts: parent.ts!,
      initial_comment: 'here it is',
    });
    expect(done.files).toEqual([{ id: up.file_id, title: 'Quote' }]);
    const f = slack.files().find((x) => x.id === up.file_id)!;
    expect(f).toMatchObject({
      name: 'quote.pdf',
      mimetype: 'application/pdf',
      channel,
      threadTs: parent.ts,
      initialComment: 'here it is',
      user: bot.botUserId,
    });
    expect(f.data.equals(bytes)).toBe(true);
    expect(slack.messages(channel, parent.ts).find((m) => m.files?.includes(up.file_id!))).toMatchObject({
      threadTs: parent.ts,
      text: 'here it is',
    });
    await wc.files.delete({ file: up.file_id! });
    expect(slack.files().find((x) => x.id === up.file_id)!.deleted).toBe(true);
    await expect(wc.files.delete({ file: up.file_id! })).rejects.toMatchObject({ data: { error: 'file_deleted' } });
  });

  it('an operator file is a file_share event whose url_private answers only with a bot token', async () => {
    const parent = await wc.chat.postMessage({ channel, text: 'card' });
    const u = slack.addUser({ teamId, name: 'filer' });
    received.length = 0;
    await slack.operatorWrites({
      channel,
      thread_ts: parent.ts!,
      text: 'see attached',
      user: u.id,
      files: [{ name: 'shot.png', mimetype: 'image/png', data: Buffer.from('png-bytes') }],
    });
    const event = (
      JSON.parse(received[0]!.body) as {
        event: {
          subtype: string;
          files: { url_private: string; url_private_download: string; name: string; size: number; mode: string }[];
        };
      }
    ).event;
    expect(event.subtype).toBe('file_share');
    expect(event.files[0]).toMatchObject({ name: 'shot.png', size: 9, mode: 'hosted' });
    const withToken = await fetch(event.files[0]!.url_private_download, {
      headers: { authorization: `Bearer ${bot.token}` },
    });
    expect(withToken.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await withToken.arrayBuffer()).toString()).toBe('png-bytes');
    const without = await fetch(event.files[0]!.url_private);
    expect(without.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it("uninstallApp revokes the team's bot tokens and sends tokens_revoked then app_uninstalled", async () => {
    const team2 = slack.addTeam({ name: 'Gone' }).id;
    const b2 = slack.addBot({ teamId: team2 });
    received.length = 0;
    const deliveries = await slack.uninstallApp(team2);
    expect(deliveries.map((d) => (d.payload.event as { type: string }).type)).toEqual([
      'tokens_revoked',
      'app_uninstalled',
    ]);
    expect(deliveries[0]!.payload).toMatchObject({ team_id: team2, event: { tokens: { bot: [b2.botUserId] } } });
    await expect(
      new WebClient(b2.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }).auth.test(),
    ).rejects.toMatchObject({ data: { error: 'token_revoked' } });
  });
});
