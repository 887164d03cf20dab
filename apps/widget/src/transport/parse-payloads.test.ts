import { describe, expect, it } from 'vitest';
import { ZMessage, ZWidgetSettings } from '@pocketping/protocol';
import { parseAck, parseMessage, parseSessionEvent, parseSettings, pickHistoryAck, pickSendAck } from './parse-payloads.js';
import { resolveSocketTarget } from './socket-target.js';

const message = {
  id: 'm1', conversationId: 'c1', seq: 1, clientId: null, sender: 'operator', authorName: 'Ann', body: 'hi', source: 'telegram',
  createdAt: '2025-01-01T00:00:00.000Z', editedAt: null, deletedAt: null,
};

describe('parseMessage', () => {
  it('accepts a protocol message, bare or wrapped', () => {
    expect(ZMessage.parse(message)).toEqual(message);
    expect(parseMessage(message)).toEqual(message);
    expect(parseMessage({ message })).toEqual(message);
  });

  it('rejects what would break rendering or ordering', () => {
    for (const bad of [null, 'x', [], { ...message, seq: 0 }, { ...message, seq: 1.5 }, { ...message, seq: '1' }, { ...message, sender: 'admin' },
      { ...message, body: 42 }, { ...message, id: undefined }, { ...message, authorName: 7 }]) {
      expect(parseMessage(bad)).toBeNull();
    }
  });

  it('fills optional fields the server may omit', () => {
    const { clientId: _c, editedAt: _e, deletedAt: _d, authorName: _a, ...rest } = message;
    expect(parseMessage(rest)).toEqual({ ...message, authorName: null });
  });
});

describe('parseSessionEvent / parseSettings', () => {
  it('reads a session', () => {
    const settings = ZWidgetSettings.parse({ color: '#111111', position: 'left' });
    expect(parseSessionEvent({ visitorId: 'v1', visitorToken: 'tok', conversationId: 'c1', lastSeq: 4, settings }))
      .toEqual({ visitorId: 'v1', visitorToken: 'tok', conversationId: 'c1', lastSeq: 4, settings });
    expect(parseSessionEvent({ visitorId: 'v1', conversationId: null, lastSeq: 0 }))
      .toEqual({ visitorId: 'v1', conversationId: null, lastSeq: 0, settings: ZWidgetSettings.parse({}) });
    expect(parseSessionEvent({})).toBeNull();
  });

  it('replaces invalid settings by the defaults, field by field', () => {
    expect(parseSettings({ color: 'url(x)', position: 'left', greeting: 'Yo', operatorName: 'x'.repeat(81), language: 'it' }))
      .toEqual({ ...ZWidgetSettings.parse({}), position: 'left', greeting: 'Yo' });
  });
});

describe('parseAck', () => {
  it('maps ok acks through the picker and error acks to their code and message', () => {
    expect(parseAck({ ok: true, message, duplicate: true }, pickSendAck)).toEqual({ ok: true, message, duplicate: true });
    expect(parseAck({ ok: true, messages: [message, { bad: 1 }], hasMore: false }, pickHistoryAck))
      .toEqual({ ok: true, messages: [message], hasMore: false });
    expect(parseAck({ ok: false, error: { code: 'rate_limited', message: 'slow down' } }, pickSendAck))
      .toEqual({ ok: false, error: { code: 'rate_limited', message: 'slow down' } });
    expect(parseAck({ ok: false }, pickSendAck)).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(parseAck({ ok: true }, pickSendAck)).toMatchObject({ ok: false, error: { code: 'bad_response' } });
    expect(parseAck(undefined, pickHistoryAck)).toMatchObject({ ok: false, error: { code: 'bad_response' } });
  });
});

describe('resolveSocketTarget', () => {
  it('puts the namespace on the origin and a path prefix into the engine path', () => {
    expect(resolveSocketTarget('https://rt.example.com')).toEqual({ url: 'https://rt.example.com/widget', path: '/socket.io' });
    expect(resolveSocketTarget('http://127.0.0.1:4001')).toEqual({ url: 'http://127.0.0.1:4001/widget', path: '/socket.io' });
    expect(resolveSocketTarget('https://example.com/chat')).toEqual({ url: 'https://example.com/widget', path: '/chat/socket.io' });
  });
});
