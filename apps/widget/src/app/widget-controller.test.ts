import { describe, expect, it } from 'vitest';
import type { TMessage, TSendMessage, TSessionEvent, TWidgetAuth } from '@pocketping/protocol';
import { EMPTY_CHAT } from './chat-state.js';
import { createStore } from './create-store.js';
import { createWidgetController, normalizeBody } from './widget-controller.js';
import type { TWidgetState } from './widget-state.js';
import { createMemoryStore } from '../shared/storage.js';
import type { TTransportHandlers, TWidgetTransport } from '../transport/connect-widget-socket.js';
import { DEFAULT_SETTINGS } from '../transport/protocol.js';

// A scripted stand-in for the socket: the tests play the server by calling the handlers and resolving acks.
// (The real socket.io path is exercised by the browser tests against the realtime service.)
function msg(seq: number, over: Partial<TMessage> = {}): TMessage {
  return {
    id: `m${seq}`, conversationId: 'c1', seq, clientId: null, sender: 'operator', authorName: 'Ann', body: `body ${seq}`,
    source: 'telegram', createdAt: '2025-01-01T00:00:00.000Z', editedAt: null, deletedAt: null, attachments: [], ...over,
  };
}

function last<T>(items: T[]): T {
  const item = items[items.length - 1];
  if (item === undefined) throw new Error('empty');
  return item;
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

type THistoryResult = Awaited<ReturnType<TWidgetTransport['requestHistory']>>;
type TSendResult = Awaited<ReturnType<TWidgetTransport['sendMessage']>>;

function setup(options: { storedToken?: string; visible?: boolean } = {}) {
  const local = createMemoryStore();
  const session = createMemoryStore();
  if (options.storedToken) local.set('pocketping:pk_test_123:visitor', options.storedToken);
  const store = createStore<TWidgetState>({
    isOpen: false, connection: { phase: 'connecting', error: null, willRetry: false }, chat: EMPTY_CHAT, settings: DEFAULT_SETTINGS, lastReadSeq: 0,
  });
  const history: { afterSeq: number; reply: (r: THistoryResult) => void }[] = [];
  const sends: { payload: TSendMessage; reply: (r: TSendResult) => void }[] = [];
  let handlers!: TTransportHandlers;
  let getAuth!: () => TWidgetAuth;
  let connected = false;
  let retries = 0;
  let ids = 0;
  const controller = createWidgetController({
    config: { projectKey: 'pk_test_123', realtimeUrl: 'http://rt.test' },
    store, local, session,
    isPageVisible: () => options.visible ?? true,
    createClientId: () => `client_id_${++ids}`.padEnd(22, 'x'),
    connect: (o) => {
      handlers = o.handlers;
      getAuth = o.getAuth;
      return {
        sendMessage(payload) {
          const d = deferred<TSendResult>();
          sends.push({ payload, reply: d.resolve });
          return d.promise;
        },
        requestHistory(afterSeq) {
          const d = deferred<THistoryResult>();
          history.push({ afterSeq, reply: d.resolve });
          return d.promise;
        },
        isConnected: () => connected,
        retry: () => void retries++,
        close: () => void (connected = false),
      };
    },
  });
  controller.start();
  const server = {
    connect(isReconnect = false) {
      connected = true;
      handlers.onConnect(isReconnect);
    },
    session(event: Partial<TSessionEvent> = {}) {
      handlers.onSession({ visitorId: 'v1', conversationId: 'c1', lastSeq: 0, settings: DEFAULT_SETTINGS, ...event });
    },
    get handlers() {
      return handlers;
    },
  };
  const flush = () => new Promise((r) => setTimeout(r, 0));
  const seqs = () => store.get().chat.messages.map((m) => m.seq);
  return { controller, store, local, session, history, sends, server, flush, seqs, auth: () => getAuth(), retries: () => retries };
}

describe('session and visitor token', () => {
  it('sends no token at first, stores the issued one and sends it on the next handshake', () => {
    const t = setup();
    expect(t.auth()).toEqual({ projectKey: 'pk_test_123' });
    t.server.connect();
    t.server.session({ visitorToken: 'vt_'.padEnd(32, 'a'), conversationId: null });
    expect(t.local.get('pocketping:pk_test_123:visitor')).toBe('vt_'.padEnd(32, 'a'));
    expect(t.auth()).toEqual({ projectKey: 'pk_test_123', visitorToken: 'vt_'.padEnd(32, 'a') });
  });

  it('reuses a stored token and keeps it when the session does not issue a new one', () => {
    const t = setup({ storedToken: 'stored_token_0123456789' });
    expect(t.auth().visitorToken).toBe('stored_token_0123456789');
    t.server.connect();
    t.server.session();
    expect(t.local.get('pocketping:pk_test_123:visitor')).toBe('stored_token_0123456789');
  });

  it('applies and caches the settings', () => {
    const t = setup();
    t.server.connect();
    t.server.session({ settings: { ...DEFAULT_SETTINGS, color: '#000000', position: 'left' } });
    expect(t.store.get().settings.color).toBe('#000000');
    expect(JSON.parse(t.local.get('pocketping:pk_test_123:appearance') ?? '')).toEqual({ color: '#000000', position: 'left' });
  });
});

describe('history sync', () => {
  it('asks history after the session, follows hasMore, and skips when there is no conversation', async () => {
    const t = setup();
    t.server.connect();
    t.server.session({ conversationId: null });
    expect(t.history).toHaveLength(0);
    t.server.session({ conversationId: 'c1', lastSeq: 3 });
    expect(t.history.map((h) => h.afterSeq)).toEqual([0]);
    t.history[0]!.reply({ ok: true, messages: [msg(1), msg(2)], hasMore: true });
    await t.flush();
    expect(t.history.map((h) => h.afterSeq)).toEqual([0, 2]);
    t.history[1]!.reply({ ok: true, messages: [msg(3)], hasMore: false });
    await t.flush();
    expect(t.seqs()).toEqual([1, 2, 3]);
    expect(t.local.get('pocketping:pk_test_123:conversation')).toBe('c1');
  });

  it('on reconnect and on visibility, asks from the highest seq and merges without duplicates', async () => {
    const t = setup();
    t.server.connect();
    t.server.session();
    t.history[0]!.reply({ ok: true, messages: [msg(1), msg(2)], hasMore: false });
    await t.flush();
    t.server.connect(true);
    expect(last(t.history).afterSeq).toBe(2);
    last(t.history).reply({ ok: true, messages: [msg(2), msg(3)], hasMore: false });
    await t.flush();
    t.server.handlers.onMessage(msg(3));
    t.controller.onPageVisible();
    expect(last(t.history).afterSeq).toBe(3);
    last(t.history).reply({ ok: true, messages: [], hasMore: false });
    await t.flush();
    expect(t.seqs()).toEqual([1, 2, 3]);
  });

  it('coalesces requests made while one is in flight into one more pass', async () => {
    const t = setup();
    t.server.connect();
    t.server.session();
    t.server.connect(true);
    t.controller.onPageVisible();
    expect(t.history).toHaveLength(1);
    t.history[0]!.reply({ ok: true, messages: [msg(1)], hasMore: false });
    await t.flush();
    expect(t.history.map((h) => h.afterSeq)).toEqual([0, 1]);
  });

  it('a live message past a gap triggers history from below the gap', async () => {
    const t = setup();
    t.server.connect();
    t.server.session();
    t.history[0]!.reply({ ok: true, messages: [msg(1)], hasMore: false });
    await t.flush();
    t.server.handlers.onMessage(msg(2));
    expect(t.history).toHaveLength(1);
    t.server.handlers.onMessage(msg(5));
    expect(last(t.history).afterSeq).toBe(2);
    last(t.history).reply({ ok: true, messages: [msg(3), msg(4), msg(5)], hasMore: false });
    await t.flush();
    expect(t.seqs()).toEqual([1, 2, 3, 4, 5]);
  });

  it('does not ask history while disconnected', () => {
    const t = setup();
    t.server.session();
    expect(t.history).toHaveLength(0);
  });
});

describe('sending', () => {
  it('shows the message as sending, then replaces it with the server message', async () => {
    const t = setup();
    t.server.connect();
    t.server.session({ conversationId: null });
    expect(t.controller.send('  hello\r\nthere  ')).toBe(true);
    const [send] = t.sends;
    expect(send!.payload).toEqual({ clientId: expect.stringMatching(/^client_id_1/), body: 'hello\nthere' });
    expect(t.store.get().chat.pending).toMatchObject([{ status: 'sending', body: 'hello\nthere' }]);
    send!.reply({ ok: true, duplicate: false, message: msg(1, { sender: 'visitor', clientId: send!.payload.clientId, body: 'hello\nthere' }) });
    await t.flush();
    expect(t.store.get().chat.pending).toEqual([]);
    expect(t.seqs()).toEqual([1]);
    expect(t.local.get('pocketping:pk_test_123:conversation')).toBe('c1');
  });

  it('marks failed on an error or a timeout, and a retry resends the same clientId', async () => {
    const t = setup();
    t.server.connect();
    t.controller.send('one');
    t.controller.send('two');
    t.sends[0]!.reply({ ok: false, error: { code: 'rate_limited', message: 'Too many messages' } });
    t.sends[1]!.reply({ ok: false, error: { code: 'timeout', message: 'No answer from the server' } });
    await t.flush();
    expect(t.store.get().chat.pending.map((p) => [p.body, p.status, p.error])).toEqual([
      ['one', 'failed', 'Too many messages'], ['two', 'failed', 'No answer from the server'],
    ]);
    const clientId = t.store.get().chat.pending[1]!.clientId;
    t.controller.retry(clientId);
    expect(t.store.get().chat.pending[1]!.status).toBe('sending');
    expect(t.sends[2]!.payload).toEqual({ clientId, body: 'two' });
    t.sends[2]!.reply({ ok: true, duplicate: true, message: msg(1, { sender: 'visitor', clientId, body: 'two' }) });
    await t.flush();
    expect(t.store.get().chat.pending.map((p) => p.body)).toEqual(['one']);
    expect(t.seqs()).toEqual([1]);
  });

  it('ignores empty and oversized messages', () => {
    const t = setup();
    expect(t.controller.send('  \n ')).toBe(false);
    expect(t.controller.send('x'.repeat(4001))).toBe(false);
    expect(t.sends).toHaveLength(0);
    expect(normalizeBody('x'.repeat(4000))).toHaveLength(4000);
  });
});

describe('connection status', () => {
  it('keeps the connect error until the next successful connect, and retries on open', () => {
    const t = setup();
    t.server.handlers.onConnectError('origin not allowed', false);
    expect(t.store.get().connection).toEqual({ phase: 'error', error: 'origin not allowed', willRetry: false });
    t.controller.open();
    expect(t.retries()).toBe(1);
    t.server.handlers.onDisconnect('transport close', true);
    expect(t.store.get().connection).toMatchObject({ phase: 'reconnecting', error: 'origin not allowed' });
    t.server.connect();
    expect(t.store.get().connection).toEqual({ phase: 'connected', error: null, willRetry: false });
  });
});

describe('open state and unread', () => {
  it('marks messages read only while open and visible, and remembers the open state in the tab', async () => {
    const t = setup();
    t.server.connect();
    t.server.session();
    t.history[0]!.reply({ ok: true, messages: [msg(1), msg(2)], hasMore: false });
    await t.flush();
    expect(t.store.get().lastReadSeq).toBe(0);
    t.controller.open();
    expect(t.session.get('pocketping:pk_test_123:open')).toBe('1');
    expect(t.store.get().lastReadSeq).toBe(2);
    expect(t.local.get('pocketping:pk_test_123:read')).toBe('2');
    t.controller.toggle();
    expect(t.session.get('pocketping:pk_test_123:open')).toBe('0');
    t.server.handlers.onMessage(msg(3));
    expect(t.store.get().lastReadSeq).toBe(2);
  });

  it('does not mark read in a hidden tab', async () => {
    const t = setup({ visible: false });
    t.server.connect();
    t.controller.open();
    t.server.handlers.onMessage(msg(1));
    expect(t.store.get().lastReadSeq).toBe(0);
  });
});
