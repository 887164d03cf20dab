// Property-based tests over every parser of platform payloads: a stored delivery can be anything a forged or
// broken request carried, so parseInbound / inboundDeliveryId must never throw, must ignore garbage, and must never
// name a thread outside the connection's own chat/channel (a thread ref is what maps an event to a tenant's
// conversation).
import { describe, expect, it } from 'vitest';
import { fc, fuzzParams, hostileJson, hostileString, mutationsOf, oversizeString } from '@pocketping/testkit/fuzz';
import { parseOperatorCommand } from './commands.js';
import { createDiscordBridge } from './discord/discord-bridge.js';
import { discordInboundExternalId, ZDiscordGatewayEvent } from './discord/gateway-event.js';
import { ZSlackEventCallback, ZSlackUrlVerification } from './slack/event-schema.js';
import { mrkdwnToPlain } from './slack/mrkdwn-to-plain.js';
import { createSlackBridge } from './slack/slack-bridge.js';
import { computeSlackSignature, verifySlackSignature } from './slack/verify-signature.js';
import { createTelegramBridge } from './telegram/telegram-bridge.js';
import type { TBridge, TBridgeTarget, TInboundAction } from './types.js';

const RUNS = 300;
const ACTION_TYPES = ['message', 'edit', 'delete', 'command', 'connection_lost', 'ignore'];

const TELEGRAM_CHAT = '-1001234567890';
const SLACK = { team: 'T0TEAM01', channel: 'C0CHAN01', botUser: 'U0BOT001' };
const DISCORD = { guild: '111111111111111111', channel: '222222222222222222' };

const telegramTarget: TBridgeTarget = {
  connectionId: 'conn_tg',
  credentials: { botToken: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789' },
  targetId: TELEGRAM_CHAT,
  targetScope: null,
};
const slackTarget: TBridgeTarget = {
  connectionId: 'conn_sl',
  credentials: { botToken: 'xoxb-0000000000-abcdefghij', teamId: SLACK.team, botUserId: SLACK.botUser },
  targetId: SLACK.channel,
  targetScope: SLACK.team,
};
const discordTarget: TBridgeTarget = {
  connectionId: 'conn_dc',
  credentials: { guildId: DISCORD.guild, channelId: DISCORD.channel },
  targetId: DISCORD.channel,
  targetScope: DISCORD.guild,
};

const tgMessage = {
  message_id: 7,
  message_thread_id: 42,
  is_topic_message: true,
  from: { id: 1001, is_bot: false, first_name: 'Sarah', last_name: 'Lee', username: 'sarah' },
  chat: { id: Number(TELEGRAM_CHAT), type: 'supergroup', is_forum: true },
  date: 1_764_000_000,
  text: 'Hello from Telegram',
  caption: 'a caption',
  photo: [{ file_id: 'ph1', file_size: 10, width: 90, height: 90 }],
  document: { file_id: 'doc1', file_name: 'a.pdf', mime_type: 'application/pdf', file_size: 100 },
};
const telegramSamples = [
  { update_id: 9001, message: tgMessage },
  { update_id: 9002, edited_message: { ...tgMessage, edit_date: 1_764_000_100 } },
];

const slackMessage = {
  type: 'message',
  channel: SLACK.channel,
  user: 'U0OPER01',
  ts: '1700000001.000200',
  thread_ts: '1700000000.000100',
  text: 'Hi <@U0OPER01|sam> see <https://x.test|x> &amp; <!here>',
  user_profile: { display_name: 'Sam', real_name: 'Sam Doe', name: 'sam' },
  files: [
    {
      id: 'F0001',
      name: 'a.png',
      mimetype: 'image/png',
      size: 3,
      url_private: 'https://files.slack.test/a.png',
      mode: 'hosted',
    },
  ],
};
const slackEnvelope = (event: unknown) => ({
  type: 'event_callback',
  team_id: SLACK.team,
  api_app_id: 'A0APP',
  event_id: 'Ev0001',
  event_time: 1_700_000_000,
  event,
});
const slackSamples = [
  slackEnvelope(slackMessage),
  slackEnvelope({
    type: 'message',
    subtype: 'message_changed',
    channel: SLACK.channel,
    message: { ...slackMessage, text: 'edited' },
    previous_message: slackMessage,
  }),
  slackEnvelope({
    type: 'message',
    subtype: 'message_deleted',
    channel: SLACK.channel,
    deleted_ts: slackMessage.ts,
    previous_message: slackMessage,
  }),
  slackEnvelope({ type: 'app_uninstalled' }),
  slackEnvelope({ type: 'tokens_revoked', tokens: { bot: [SLACK.botUser], oauth: [] } }),
];

const discordSample = (t: string) => ({
  t,
  s: 12,
  d: {
    id: '333333333333333333',
    channel_id: '444444444444444444',
    guild_id: DISCORD.guild,
    type: 0,
    content: 'Hello from Discord',
    edited_timestamp: t === 'MESSAGE_UPDATE' ? '2026-01-01T00:00:00.000Z' : null,
    author: { id: '555555555555555555', username: 'dora', global_name: 'Dora', bot: false },
    member: { nick: 'Dora M' },
    attachments: [
      {
        id: '666666666666666666',
        filename: 'a.png',
        size: 3,
        url: 'https://cdn.discordapp.com/attachments/a.png',
        content_type: 'image/png',
      },
    ],
  },
  parent_id: DISCORD.channel,
});
const discordSamples = ['MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE'].map(discordSample);

const bridges: { name: string; bridge: TBridge; target: TBridgeTarget; chat: string; samples: unknown[] }[] = [
  {
    name: 'telegram',
    bridge: createTelegramBridge({ apiRoot: 'http://127.0.0.1:9' }),
    target: telegramTarget,
    chat: TELEGRAM_CHAT,
    samples: telegramSamples,
  },
  {
    name: 'slack',
    bridge: createSlackBridge({ apiUrl: 'http://127.0.0.1:9/api/' }),
    target: slackTarget,
    chat: SLACK.channel,
    samples: slackSamples,
  },
  {
    name: 'discord',
    bridge: createDiscordBridge({ apiUrl: 'http://127.0.0.1:9/api' }),
    target: discordTarget,
    chat: DISCORD.channel,
    samples: discordSamples,
  },
];

/** The action is well-formed, and whatever names a thread names one in the connection's own chat/channel. */
function expectWellFormed(action: TInboundAction, chat: string): void {
  expect(ACTION_TYPES).toContain(action.type);
  if (action.type === 'ignore' || action.type === 'connection_lost') {
    expect(typeof action.reason).toBe('string');
    return;
  }
  expect(action.thread.externalChatId).toBe(chat);
  expect(typeof action.thread.externalThreadId).toBe('string');
  expect(action.thread.externalThreadId.length).toBeGreaterThan(0);
  expect(typeof action.externalMessageId).toBe('string');
  expect(action.externalMessageId.length).toBeGreaterThan(0);
  if (action.type === 'message' || action.type === 'edit') {
    expect(typeof action.text).toBe('string');
    expect(action.text.trim().length > 0 || (action.type === 'message' && (action.files?.length ?? 0) > 0)).toBe(true);
  }
  if (action.type === 'message') {
    expect(typeof action.authorName).toBe('string');
    expect(action.authorName.length).toBeGreaterThan(0);
    for (const f of action.files ?? []) expect(typeof f.ref === 'string' && f.ref.length > 0).toBe(true);
  }
}

describe.each(bridges)('$name bridge: inbound parsing under hostile input', ({ bridge, target, chat, samples }) => {
  it('the samples are real deliveries (else the mutations prove nothing)', () => {
    for (const s of samples) {
      expect(bridge.inboundDeliveryId(s)).not.toBeNull();
      expect(bridge.parseInbound(target, s).type).not.toBe('ignore');
    }
  });

  it('random JSON: never throws, always ignored, no delivery id', () => {
    fc.assert(
      fc.property(hostileJson(), (payload) => {
        expect(bridge.parseInbound(target, payload).type).toBe('ignore');
        expect(bridge.inboundDeliveryId(payload)).toBeNull();
      }),
      fuzzParams(RUNS),
    );
  });

  it('near-valid deliveries: never throw, never a thread outside the connection target, ids are bounded strings', () => {
    fc.assert(
      fc.property(fc.oneof(...samples.map((s) => mutationsOf(s))), (payload) => {
        expectWellFormed(bridge.parseInbound(target, payload), chat);
        const id = bridge.inboundDeliveryId(payload);
        if (id !== null) {
          expect(typeof id).toBe('string');
          expect(id.length).toBeGreaterThan(0);
          expect(id.length).toBeLessThanOrEqual(200);
        }
      }),
      fuzzParams(RUNS),
    );
  });

  it("another connection's target (other chat, other workspace/server) never gets a thread", () => {
    const other: TBridgeTarget = {
      ...target,
      targetId: `${target.targetId}9`,
      targetScope: target.targetScope ? `${target.targetScope}9` : null,
    };
    if (bridge.kind === 'discord')
      other.credentials = { guildId: `${DISCORD.guild.slice(0, -1)}9`, channelId: `${DISCORD.channel.slice(0, -1)}9` };
    if (bridge.kind === 'slack') other.credentials = { ...(target.credentials as object), teamId: 'T0OTHER9' };
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...samples), ...samples.map((s) => mutationsOf(s))), (payload) => {
        const action = bridge.parseInbound(other, payload);
        expect(['ignore']).toContain(action.type);
      }),
      fuzzParams(100),
    );
  });
});

describe('other platform parsers under hostile input', () => {
  it('parseOperatorCommand: never throws; a command is one of the known ones; a note carries text', () => {
    const text = fc.oneof(
      hostileString(200),
      oversizeString([5_000, 50_000]),
      fc
        .tuple(
          fc.constantFrom('/', '!'),
          fc.constantFrom('info', 'close', 'reopen', 'help', 'note', 'ai', 'AI', 'nOtE', 'x'),
          fc.constantFrom('', '@bot', '@pocketping_bot', '@@'),
          hostileString(40),
        )
        .map((p) => p.join(' ').replace(' ', '')),
    );
    fc.assert(
      fc.property(text, (t) => {
        const cmd = parseOperatorCommand(t);
        if (cmd === null) return;
        expect(['info', 'close', 'reopen', 'help', 'note', 'ai', 'aiStatus', 'unknown']).toContain(cmd.name);
        if (cmd.name === 'note') expect(cmd.text.trim().length).toBeGreaterThan(0);
        if (cmd.name === 'ai') expect(typeof cmd.on).toBe('boolean');
      }),
      fuzzParams(RUNS),
    );
  });

  it('mrkdwnToPlain: never throws, and stays linear on adversarial markup', () => {
    const markup = fc
      .array(fc.constantFrom('<', '>', '|', '@', '#', '!', '&lt;', '&amp;', 'mailto:', 'x', '^', ' '), {
        maxLength: 2_000,
      })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(hostileString(500), markup, oversizeString([50_000])), (t) => {
        expect(typeof mrkdwnToPlain(t)).toBe('string');
      }),
      fuzzParams(RUNS),
    );
  });

  it('the Slack envelope schemas and the signature check: never throw; only the exact signature verifies', () => {
    const secret = 'slack-signing-secret-for-fuzz';
    const now = 1_700_000_000_000;
    const ts = String(now / 1000);
    fc.assert(
      fc.property(
        fc.oneof(hostileJson(), ...slackSamples.map((s) => mutationsOf(s))),
        fc.option(hostileString(80)),
        fc.option(hostileString(80)),
        (body, tsHeader, sigHeader) => {
          ZSlackEventCallback.safeParse(body);
          ZSlackUrlVerification.safeParse(body);
          const raw = JSON.stringify(body) ?? '';
          expect(
            verifySlackSignature({
              signingSecret: secret,
              timestampHeader: tsHeader,
              signatureHeader: sigHeader,
              rawBody: raw,
              nowMs: now,
            }).ok,
          ).toBe(false);
          expect(
            verifySlackSignature({
              signingSecret: secret,
              timestampHeader: ts,
              signatureHeader: computeSlackSignature(secret, ts, raw),
              rawBody: raw,
              nowMs: now,
            }).ok,
          ).toBe(true);
        },
      ),
      fuzzParams(RUNS),
    );
  });

  it('the Discord gateway event schema and its dedupe key: never throw; the key names the event and message', () => {
    fc.assert(
      fc.property(fc.oneof(hostileJson(), ...discordSamples.map((s) => mutationsOf(s))), (payload) => {
        const parsed = ZDiscordGatewayEvent.safeParse(payload);
        if (!parsed.success) return;
        const key = discordInboundExternalId(parsed.data);
        expect(key.startsWith(`${parsed.data.t}:${parsed.data.d.id}:`)).toBe(true);
      }),
      fuzzParams(RUNS),
    );
  });
});

// Counterexamples the fuzzers found, kept as plain regression tests.
describe('regressions found by fuzzing', () => {
  it('a Discord edit with a huge edited_timestamp has no delivery id (the dedupe key sits in a unique index)', () => {
    const bridge = createDiscordBridge({ apiUrl: 'http://127.0.0.1:9/api' });
    const sample = discordSample('MESSAGE_UPDATE');
    const payload = { ...sample, d: { ...sample.d, edited_timestamp: 'x'.repeat(50_001) } };
    expect(bridge.inboundDeliveryId(payload)).toBeNull();
    expect(bridge.parseInbound(discordTarget, payload).type).toBe('ignore');
  });
});
