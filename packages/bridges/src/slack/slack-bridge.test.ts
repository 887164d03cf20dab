import { describe, expect, it } from 'vitest';
import { WebAPIPlatformError, WebAPIRateLimitedError } from '@slack/web-api';
import { createSlackBridge } from './slack-bridge.js';
import { toBridgeError } from './to-bridge-error.js';
import { mrkdwnToPlain } from './mrkdwn-to-plain.js';

const bridge = createSlackBridge({ apiUrl: 'http://127.0.0.1:9/api/' });
const target = {
  connectionId: 'conn1',
  credentials: { botToken: 'xoxb-1111-2222-abcdefabcdef', teamId: 'T0001', botUserId: 'UBOT1', botId: 'BBOT1' },
  targetId: 'C0001',
  targetScope: 'T0001',
};
const envelope = (event: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  token: 'x',
  team_id: 'T0001',
  api_app_id: 'A1',
  type: 'event_callback',
  event_id: 'Ev0001',
  event_time: 1,
  event,
  ...extra,
});
const reply = {
  type: 'message',
  channel: 'C0001',
  user: 'U0042',
  text: 'On it &amp; fixed &lt;3 <@U0099|bob>',
  ts: '1700000001.000200',
  thread_ts: '1700000000.000100',
};

describe('slack parseInbound', () => {
  it('turns a human reply in a thread into an operator message, keyed by (channel, thread_ts) and ts', () => {
    expect(bridge.parseInbound(target, envelope(reply))).toEqual({
      type: 'message',
      thread: { externalChatId: 'C0001', externalThreadId: '1700000000.000100' },
      externalMessageId: '1700000001.000200',
      authorName: 'Slack user U0042',
      // The pipeline resolves the display name with users.info from this id; authorName is only the fallback.
      authorId: 'U0042',
      text: 'On it & fixed <3 @bob',
    });
  });

  it('a file_share reply carries its hosted files (url_private_download as the ref) and may have no text', () => {
    const files = [
      {
        id: 'F01',
        name: 'shot.png',
        mimetype: 'image/png',
        size: 1234,
        mode: 'hosted',
        url_private: 'https://files.slack.com/files-pri/T0001-F01/shot.png',
        url_private_download: 'https://files.slack.com/files-pri/T0001-F01/download/shot.png',
      },
      { id: 'F02', name: 'gone.pdf', mode: 'tombstone' },
      { id: 'F03', title: 'Doc', mode: 'hosted', url_private: 'https://files.slack.com/files-pri/T0001-F03/x' },
    ];
    expect(bridge.parseInbound(target, envelope({ ...reply, subtype: 'file_share', text: '', files }))).toMatchObject({
      type: 'message',
      text: '',
      files: [
        {
          ref: 'https://files.slack.com/files-pri/T0001-F01/download/shot.png',
          name: 'shot.png',
          contentType: 'image/png',
          size: 1234,
        },
        {
          ref: 'https://files.slack.com/files-pri/T0001-F03/x',
          name: 'Doc',
          contentType: 'application/octet-stream',
          size: null,
        },
      ],
    });
    expect(
      bridge.parseInbound(target, envelope({ ...reply, subtype: 'file_share', text: '', files: [files[1]] })),
    ).toMatchObject({ type: 'ignore' });
  });

  it('app_uninstalled and tokens_revoked (of this bot) end the connection; other teams and users do not', () => {
    expect(bridge.parseInbound(target, envelope({ type: 'app_uninstalled', event_ts: '1.1' }))).toMatchObject({
      type: 'connection_lost',
      reason: expect.stringMatching(/uninstalled/),
    });
    expect(
      bridge.parseInbound(target, envelope({ type: 'tokens_revoked', tokens: { oauth: [], bot: ['UBOT1'] } })),
    ).toMatchObject({ type: 'connection_lost', reason: expect.stringMatching(/revoked.*reinstall/) });
    expect(
      bridge.parseInbound(target, envelope({ type: 'tokens_revoked', tokens: { oauth: ['U0042'] } })),
    ).toMatchObject({ type: 'ignore' });
    expect(bridge.parseInbound(target, envelope({ type: 'app_uninstalled' }, { team_id: 'T0OTHER' }))).toMatchObject({
      type: 'ignore',
    });
  });

  it('uses the user_profile name when the event carries one', () => {
    const a = bridge.parseInbound(
      target,
      envelope({ ...reply, user_profile: { display_name: '', real_name: 'Sarah Connor', name: 'sarah' } }),
    );
    expect(a).toMatchObject({ type: 'message', authorName: 'Sarah Connor' });
  });

  it("ignores the bot's own messages, other bots, and bot_message subtypes", () => {
    expect(bridge.parseInbound(target, envelope({ ...reply, user: 'UBOT1' })).type).toBe('ignore');
    expect(bridge.parseInbound(target, envelope({ ...reply, bot_id: 'BOTHER' })).type).toBe('ignore');
    expect(bridge.parseInbound(target, envelope({ ...reply, subtype: 'bot_message', user: undefined })).type).toBe(
      'ignore',
    );
  });

  it('ignores other workspaces, other channels, top-level messages and thread parents', () => {
    expect(bridge.parseInbound(target, envelope(reply, { team_id: 'T9999' }))).toMatchObject({
      type: 'ignore',
      reason: 'event from another workspace',
    });
    expect(bridge.parseInbound(target, envelope({ ...reply, channel: 'C0002' }))).toMatchObject({
      type: 'ignore',
      reason: 'message from another channel',
    });
    expect(bridge.parseInbound(target, envelope({ ...reply, thread_ts: undefined }))).toMatchObject({
      type: 'ignore',
      reason: 'message outside a thread',
    });
    expect(bridge.parseInbound(target, envelope({ ...reply, thread_ts: reply.ts }))).toMatchObject({ type: 'ignore' });
    expect(bridge.parseInbound(target, envelope({ ...reply, subtype: 'channel_join' }))).toMatchObject({
      type: 'ignore',
    });
  });

  it('ignores what is not an event_callback', () => {
    expect(bridge.parseInbound(target, { type: 'url_verification', challenge: 'x' }).type).toBe('ignore');
    expect(bridge.parseInbound(target, null).type).toBe('ignore');
    expect(bridge.parseInbound(target, envelope({ type: 'reaction_added', user: 'U1' })).type).toBe('ignore');
  });

  it('turns message_changed of a reply into an edit', () => {
    const ev = {
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: 'C0001',
      ts: '1700000009.000000',
      message: {
        type: 'message',
        user: 'U0042',
        text: 'fixed &amp; shipped',
        ts: reply.ts,
        thread_ts: reply.thread_ts,
        edited: { user: 'U0042', ts: '1700000009.000000' },
      },
      previous_message: { type: 'message', user: 'U0042', text: 'old', ts: reply.ts, thread_ts: reply.thread_ts },
    };
    expect(bridge.parseInbound(target, envelope(ev))).toEqual({
      type: 'edit',
      thread: { externalChatId: 'C0001', externalThreadId: reply.thread_ts },
      externalMessageId: reply.ts,
      text: 'fixed & shipped',
    });
    // The parent changing (reply_count grows) is not an operator edit.
    const parent = { ...ev, message: { ...ev.message, ts: reply.thread_ts, thread_ts: reply.thread_ts } };
    expect(bridge.parseInbound(target, envelope(parent)).type).toBe('ignore');
  });

  it('turns message_deleted of a reply into a delete, and ignores the parent being deleted', () => {
    const ev = {
      type: 'message',
      subtype: 'message_deleted',
      hidden: true,
      channel: 'C0001',
      ts: '1700000010.000000',
      deleted_ts: reply.ts,
      previous_message: { type: 'message', user: 'U0042', text: 'x', ts: reply.ts, thread_ts: reply.thread_ts },
    };
    expect(bridge.parseInbound(target, envelope(ev))).toEqual({
      type: 'delete',
      thread: { externalChatId: 'C0001', externalThreadId: reply.thread_ts },
      externalMessageId: reply.ts,
    });
    const parent = {
      ...ev,
      deleted_ts: reply.thread_ts,
      previous_message: { ...ev.previous_message, ts: reply.thread_ts },
    };
    expect(bridge.parseInbound(target, envelope(parent)).type).toBe('ignore');
  });

  it('reads the event_id as the delivery id', () => {
    expect(bridge.inboundDeliveryId(envelope(reply))).toBe('Ev0001');
    expect(bridge.inboundDeliveryId({ type: 'event_callback' })).toBeNull();
  });
});

describe('slack toBridgeError', () => {
  const platform = (error: string) => new WebAPIPlatformError({ ok: false, error });
  it.each([
    ['invalid_auth', 'unauthorized'],
    ['account_inactive', 'unauthorized'],
    ['token_revoked', 'unauthorized'],
    ['channel_not_found', 'target_gone'],
    ['is_archived', 'target_gone'],
    ['not_in_channel', 'forbidden'],
    ['missing_scope', 'forbidden'],
    ['msg_too_long', 'rejected'],
    ['internal_error', 'transient'],
  ])('%s → %s', (code, kind) => {
    const e = toBridgeError('chat.postMessage', platform(code));
    expect(e.kind).toBe(kind);
    expect(e.platformCode).toBe(code);
  });

  it('429 → rate_limited with Retry-After in ms', () => {
    const e = toBridgeError('chat.postMessage', new WebAPIRateLimitedError(7));
    expect(e).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7_000 });
  });

  it('a vanished parent is thread_gone only for a threaded reply', () => {
    expect(toBridgeError('chat.postMessage', platform('thread_not_found'), { threaded: true }).kind).toBe(
      'thread_gone',
    );
    expect(toBridgeError('chat.postMessage', platform('message_not_found'), { threaded: true }).kind).toBe(
      'thread_gone',
    );
    expect(toBridgeError('chat.update', platform('message_not_found')).kind).toBe('rejected');
  });

  it('a breaking error reads like a sentence for the site owner', () => {
    expect(toBridgeError('chat.postMessage', platform('token_revoked')).message).toMatch(/revoked.*reinstall/i);
  });
});

describe('mrkdwnToPlain', () => {
  it('makes Slack markup readable', () => {
    expect(mrkdwnToPlain('see <https://x.example/a|the docs> or <https://y.example> &amp; <mailto:a@b.c|a@b.c>')).toBe(
      'see the docs (https://x.example/a) or https://y.example & a@b.c',
    );
    expect(mrkdwnToPlain('<!here> <#C1|general> <@U1>')).toBe('@here #general @U1');
  });
});
