import { describe, expect, it } from 'vitest';
import { ZMessage, ZWidgetSettings } from '@pocketping/protocol';
import {
  parseAck,
  parseAiStream,
  parseConversation,
  parseMessage,
  parsePresence,
  parseReceipt,
  parseSessionEvent,
  parseSettings,
  parseTyping,
  pickHistoryAck,
  pickSendAck,
  pickUploadAck,
} from './parse-payloads.js';
import { resolveSocketTarget } from './socket-target.js';
import { cleanFields } from '../ui/pre-chat-form.js';

const message = {
  id: 'm1',
  conversationId: 'c1',
  seq: 1,
  clientId: null,
  sender: 'operator',
  authorName: 'Ann',
  body: 'hi',
  source: 'telegram',
  createdAt: '2025-01-01T00:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  attachments: [],
};
const file = {
  id: 'a1',
  name: 'cat.png',
  contentType: 'image/png',
  size: 1234,
  url: 'https://rt.example.com/widget/files/a1?sig=x',
};

describe('parseMessage', () => {
  it('accepts a protocol message, bare or wrapped', () => {
    expect(ZMessage.parse(message)).toEqual(message);
    expect(parseMessage(message)).toEqual(message);
    expect(parseMessage({ message })).toEqual(message);
  });

  it('rejects what would break rendering or ordering', () => {
    for (const bad of [
      null,
      'x',
      [],
      { ...message, seq: 0 },
      { ...message, seq: 1.5 },
      { ...message, seq: '1' },
      { ...message, sender: 'admin' },
      { ...message, body: 42 },
      { ...message, id: undefined },
      { ...message, authorName: 7 },
    ]) {
      expect(parseMessage(bad)).toBeNull();
    }
  });

  it('fills optional fields the server may omit', () => {
    const { clientId: _c, editedAt: _e, deletedAt: _d, authorName: _a, attachments: _f, ...rest } = message;
    expect(parseMessage(rest)).toEqual({ ...message, authorName: null });
  });

  it('parses attachments, dropping malformed entries one by one', () => {
    expect(parseMessage({ ...message, attachments: [file] })?.attachments).toEqual([file]);
    expect(ZMessage.parse({ ...message, attachments: [file] }).attachments).toEqual([file]);
    const pending = { ...file, id: 'a2', url: null };
    const hostile = [
      null,
      'x',
      { ...file, size: -1 },
      { ...file, size: '12' },
      { ...file, name: 7 },
      { ...file, id: undefined },
      { ...file, url: 42 },
    ];
    expect(parseMessage({ ...message, attachments: [...hostile, pending] })?.attachments).toEqual([
      { ...file, url: null },
      pending,
    ]);
    expect(parseMessage({ ...message, attachments: 'nope' })).toBeNull();
    expect(parseMessage({ ...message, attachments: Array.from({ length: 50 }, () => file) })?.attachments).toHaveLength(
      10,
    );
  });
});

describe('parseSessionEvent / parseSettings', () => {
  it('reads a session', () => {
    const settings = ZWidgetSettings.parse({ color: '#111111', position: 'left' });
    expect(
      parseSessionEvent({ visitorId: 'v1', visitorToken: 'tok', conversationId: 'c1', lastSeq: 4, settings }),
    ).toEqual({ visitorId: 'v1', visitorToken: 'tok', conversationId: 'c1', lastSeq: 4, settings });
    expect(parseSessionEvent({ visitorId: 'v1', conversationId: null, lastSeq: 0 })).toEqual({
      visitorId: 'v1',
      conversationId: null,
      lastSeq: 0,
      settings: ZWidgetSettings.parse({}),
    });
    expect(parseSessionEvent({})).toBeNull();
  });

  it("keeps the AI's notice only when it is one the widget knows", () => {
    const base = { visitorId: 'v1', conversationId: 'c1', lastSeq: 2 };
    expect(parseSessionEvent({ ...base, aiNotice: 'handoff' })?.aiNotice).toBe('handoff');
    expect(parseSessionEvent({ ...base, aiNotice: 'failed' })?.aiNotice).toBe('failed');
    expect(parseSessionEvent({ ...base, aiNotice: '<img src=x>' })).not.toHaveProperty('aiNotice');
  });

  it('replaces invalid settings by the defaults, field by field', () => {
    expect(
      parseSettings({
        color: 'url(x)',
        position: 'left',
        greeting: 'Yo',
        operatorName: 'x'.repeat(81),
        language: 'it',
      }),
    ).toEqual({ ...ZWidgetSettings.parse({}), position: 'left', greeting: 'Yo' });
  });
});

describe('parseAck', () => {
  it('maps ok acks through the picker and error acks to their code and message', () => {
    expect(parseAck({ ok: true, message, duplicate: true }, pickSendAck)).toEqual({
      ok: true,
      message,
      duplicate: true,
    });
    expect(parseAck({ ok: true, messages: [message, { bad: 1 }], hasMore: false }, pickHistoryAck)).toEqual({
      ok: true,
      messages: [message],
      hasMore: false,
    });
    expect(parseAck({ ok: true, messages: [], hasMore: false, throughSeq: 9 }, pickHistoryAck)).toEqual({
      ok: true,
      messages: [],
      hasMore: false,
      throughSeq: 9,
    });
    expect(parseAck({ ok: false, error: { code: 'rate_limited', message: 'slow down' } }, pickSendAck)).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'slow down' },
    });
    expect(parseAck({ ok: false }, pickSendAck)).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(parseAck({ ok: true }, pickSendAck)).toMatchObject({ ok: false, error: { code: 'bad_response' } });
    expect(parseAck(undefined, pickHistoryAck)).toMatchObject({ ok: false, error: { code: 'bad_response' } });
  });
});

describe('event payloads', () => {
  it('parses typing, receipt, conversation and presence events and rejects malformed ones', () => {
    expect(parseTyping({ sender: 'operator', authorName: 'Ann', isTyping: true })).toEqual({
      sender: 'operator',
      authorName: 'Ann',
      isTyping: true,
    });
    expect(parseTyping({ sender: 'visitor', isTyping: true })).toBeNull();
    expect(parseTyping({ sender: 'ai', isTyping: 'yes' })).toBeNull();
    expect(parseReceipt({ conversationId: 'c1', kind: 'read', seq: 4 })).toEqual({
      conversationId: 'c1',
      kind: 'read',
      seq: 4,
    });
    expect(parseReceipt({ conversationId: 'c1', kind: 'seen', seq: 4 })).toBeNull();
    expect(parseReceipt({ conversationId: 'c1', kind: 'read', seq: -1 })).toBeNull();
    expect(parseConversation({ conversationId: 'c1', status: 'closed', csatRequested: true })).toEqual({
      conversationId: 'c1',
      status: 'closed',
      csatRequested: true,
    });
    expect(parseConversation({ conversationId: 'c1', status: 'archived' })).toBeNull();
    expect(parsePresence({ status: 'away', replyTimeMinutes: 15 })).toEqual({ status: 'away', replyTimeMinutes: 15 });
    expect(parsePresence({ status: 'away', replyTimeMinutes: 'soon' })).toEqual({
      status: 'away',
      replyTimeMinutes: null,
    });
    expect(parsePresence({ status: 'busy' })).toBeNull();
  });

  it('reads the upload answer', () => {
    expect(parseAck({ ok: true, attachment: file }, pickUploadAck)).toEqual({ ok: true, attachment: file });
    expect(parseAck({ ok: true, attachment: { id: 'x' } }, pickUploadAck)).toMatchObject({
      ok: false,
      error: { code: 'bad_response' },
    });
    expect(parseAck({ ok: false, error: { code: 'payload_too_large', message: 'too big' } }, pickUploadAck)).toEqual({
      ok: false,
      error: { code: 'payload_too_large', message: 'too big' },
    });
  });

  it('shows "Powered by PocketPing" only when the server says so with a real boolean', () => {
    expect(parseSettings({ branding: true }).branding).toBe(true);
    expect(parseSettings({ branding: 'true' }).branding).toBeUndefined();
    expect(parseSettings({}).branding).toBeUndefined();
  });

  it('reads the extended settings, keeping only safe values', () => {
    const s = parseSettings({
      preChat: {
        enabled: true,
        mode: 'after',
        emailRequired: false,
        fields: [{ name: 'company', label: 'Company' }, { name: '1bad', label: 'x' }, 'x'],
      },
      csatEnabled: true,
      avatarUrl: 'javascript:alert(1)',
      replyTimeMinutes: 30,
      identityMode: 'enforce',
    });
    expect(s.preChat).toMatchObject({ enabled: true, mode: 'after', emailRequired: false, askName: true });
    // The extra questions are cleaned by the form (extras.js), one by one.
    expect(cleanFields(s.preChat!.fields)).toEqual([
      { name: 'company', label: 'Company', type: 'text', required: false },
    ]);
    expect(parseSettings({ preChat: { enabled: 'yes', fields: 'x' } }).preChat).toEqual({
      enabled: false,
      mode: 'before',
      emailRequired: true,
      askName: true,
      fields: [],
    });
    expect(s.avatarUrl).toBeUndefined();
    expect(parseSettings({ avatarUrl: 'https://cdn.example.com/a.png' }).avatarUrl).toBe(
      'https://cdn.example.com/a.png',
    );
    expect([s.csatEnabled, s.replyTimeMinutes, s.identityMode]).toEqual([true, 30, 'enforce']);
  });

  it("keeps the owner's away message when it is a non-blank string of at most 500 characters", () => {
    expect(parseSettings({ awayMessage: 'Back at 9 <b>CET</b>' }).awayMessage).toBe('Back at 9 <b>CET</b>');
    for (const bad of [42, null, '   ', 'x'.repeat(501), { html: 'x' }])
      expect(parseSettings({ awayMessage: bad }).awayMessage).toBeUndefined();
  });
});

describe('resolveSocketTarget', () => {
  it('puts the namespace on the origin and a path prefix into the engine path', () => {
    expect(resolveSocketTarget('https://rt.example.com')).toEqual({
      url: 'https://rt.example.com/widget',
      path: '/socket.io',
    });
    expect(resolveSocketTarget('http://127.0.0.1:4001')).toEqual({
      url: 'http://127.0.0.1:4001/widget',
      path: '/socket.io',
    });
    expect(resolveSocketTarget('https://example.com/chat')).toEqual({
      url: 'https://example.com/widget',
      path: '/chat/socket.io',
    });
  });
});

describe('parseAiStream', () => {
  const ok = {
    conversationId: 'c1',
    streamId: 'c1-3',
    authorName: 'Pip',
    text: 'We open at 9',
    sources: [
      { title: 'Hours', url: 'https://shop.example/hours' },
      { title: 'Evil', url: 'javascript:alert(1)' },
      { nope: true },
    ],
    state: 'streaming',
  };
  it('keeps a well-formed event, drops malformed sources and any non-http(s) link', () => {
    expect(parseAiStream(ok)).toEqual({
      ...ok,
      sources: [
        { title: 'Hours', url: 'https://shop.example/hours' },
        { title: 'Evil', url: null },
      ],
    });
  });
  it('refuses an unknown state or missing ids', () => {
    expect(parseAiStream({ ...ok, state: 'exploded' })).toBeNull();
    expect(parseAiStream({ ...ok, streamId: 5 })).toBeNull();
    expect(parseAiStream('nope')).toBeNull();
  });
});
