import { describe, expect, it, vi } from 'vitest';
import type { TMessage, TSendMessage, TSessionEvent, TWidgetAuth } from '@pocketping/protocol';
import { createStore } from './create-store.js';
import { createWidgetController, normalizeBody } from './widget-controller.js';
import type { TWidgetControllerDeps } from './widget-controller.js';
import type { TWidgetState } from './widget-state.js';
import { initialState } from './initial-state.js';
import { createUploads } from './controller/uploads.js';
import { createFormSubmits } from './controller/form-submits.js';
import { createMemoryStore, storageKeys } from '../shared/storage.js';
import type { TUploadHandle } from '../transport/upload-file.js';
import type { TTransportHandlers, TWidgetTransport } from '../transport/connect-widget-socket.js';
import { DEFAULT_SETTINGS } from '../transport/protocol.js';

// A scripted stand-in for the socket: the tests play the server by calling the handlers and resolving acks.
// (The real socket.io path is exercised by the browser tests against the realtime service.)
function msg(seq: number, over: Partial<TMessage> = {}): TMessage {
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    seq,
    clientId: null,
    sender: 'operator',
    authorName: 'Ann',
    body: `body ${seq}`,
    source: 'telegram',
    createdAt: '2025-01-01T00:00:00.000Z',
    editedAt: null,
    deletedAt: null,
    attachments: [],
    ...over,
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

type TRequestResult = Awaited<ReturnType<TWidgetTransport['request']>>;

function setup(options: { storedToken?: string; visible?: boolean; deps?: Partial<TWidgetControllerDeps> } = {}) {
  const local = createMemoryStore();
  const session = createMemoryStore();
  if (options.storedToken) local.set('pocketping:pk_test_123:visitor', options.storedToken);
  const store = createStore<TWidgetState>(initialState(local, storageKeys('pk_test_123'), 'en'));
  const requests: { event: string; payload: object; reply: (r: TRequestResult) => void }[] = [];
  const notified: [string, unknown][] = [];
  const history: { afterSeq: number; reply: (r: THistoryResult) => void }[] = [];
  const sends: { payload: TSendMessage; reply: (r: TSendResult) => void }[] = [];
  let handlers!: TTransportHandlers;
  let getAuth!: () => TWidgetAuth;
  let connected = false;
  let retries = 0;
  let ids = 0;
  const controller = createWidgetController(
    {
      config: { projectKey: 'pk_test_123', realtimeUrl: 'http://rt.test' },
      store,
      local,
      session,
      isPageVisible: () => options.visible ?? true,
      createClientId: () => `client_id_${++ids}`.padEnd(22, 'x'),
      notify: (event, data) => void notified.push([event, data]),
      ...options.deps,
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
          request(event, payload) {
            const d = deferred<TRequestResult>();
            requests.push({ event, payload, reply: d.resolve });
            return d.promise;
          },
          isConnected: () => connected,
          retry: () => void retries++,
          close: () => void (connected = false),
        };
      },
    },
    { createUploads, createFormSubmits },
  );
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
  const sent = (event: string) => requests.filter((r) => r.event === event).map((r) => r.payload);
  return {
    controller,
    store,
    local,
    session,
    history,
    sends,
    requests,
    sent,
    notified,
    server,
    flush,
    seqs,
    auth: () => getAuth(),
    retries: () => retries,
  };
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
    expect(JSON.parse(t.local.get('pocketping:pk_test_123:appearance') ?? '')).toEqual({
      color: '#000000',
      position: 'left',
      language: 'auto',
    });
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
    send!.reply({
      ok: true,
      duplicate: false,
      message: msg(1, { sender: 'visitor', clientId: send!.payload.clientId, body: 'hello\nthere' }),
    });
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
      ['one', 'failed', 'Too many messages'],
      ['two', 'failed', 'No answer from the server'],
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

describe('sending while (re)connecting', () => {
  it('keeps a message written before the connection as sending and sends it, in order, after the session', async () => {
    const t = setup();
    expect(t.controller.send('first')).toBe(true);
    expect(t.controller.send('second')).toBe(true);
    await t.flush();
    expect(t.sends).toHaveLength(0);
    expect(t.store.get().chat.pending.map((p) => p.status)).toEqual(['sending', 'sending']);
    t.server.connect();
    t.server.session();
    await t.flush();
    expect(t.sends.map((s) => s.payload.body)).toEqual(['first']); // one at a time: the server keeps their order
    t.sends[0]!.reply({
      ok: true,
      message: msg(1, { sender: 'visitor', clientId: t.sends[0]!.payload.clientId, body: 'first' }),
      duplicate: false,
    });
    await t.flush();
    expect(t.sends.map((s) => s.payload.body)).toEqual(['first', 'second']);
  });

  it('fails what waited when the server refuses the connection for good', async () => {
    const t = setup();
    t.controller.send('hello');
    await t.flush();
    t.server.handlers.onConnectError('Origin not allowed', false);
    expect(t.store.get().chat.pending[0]).toMatchObject({ status: 'failed', error: 'Origin not allowed' });
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

describe('receipts, typing and read', () => {
  it('turns delivered/read receipts into watermarks of the current conversation only', async () => {
    const t = setup();
    t.server.connect();
    t.server.session({ operatorReadSeq: 1 });
    expect(t.store.get().receipts).toEqual({ delivered: 1, read: 1 });
    t.server.handlers.onReceipt({ conversationId: 'c1', kind: 'delivered', seq: 3 });
    t.server.handlers.onReceipt({ conversationId: 'other', kind: 'read', seq: 9 });
    t.server.handlers.onReceipt({ conversationId: 'c1', kind: 'delivered', seq: 2 }); // late and lower: ignored
    expect(t.store.get().receipts).toEqual({ delivered: 3, read: 1 });
    t.server.handlers.onReceipt({ conversationId: 'c1', kind: 'read', seq: 4 });
    expect(t.store.get().receipts).toEqual({ delivered: 4, read: 4 });
  });

  it('takes the delivered watermark back from the session: a reload never turns "Delivered" into "Sent"', () => {
    const t = setup();
    t.server.connect();
    t.server.session({ operatorReadSeq: 1, deliveredSeq: 3 });
    expect(t.store.get().receipts).toEqual({ delivered: 3, read: 1 });
    // A later session of the same conversation with an older figure never moves it back.
    t.server.session({ operatorReadSeq: 1, deliveredSeq: 2 });
    expect(t.store.get().receipts).toEqual({ delivered: 3, read: 1 });
  });

  it('grows one AI bubble as partial text arrives, replaces it with the stored AI message, shows handoff', () => {
    const t = setup();
    t.server.connect();
    t.server.session();
    const ev = (text: string, state: 'streaming' | 'done' | 'cancelled' | 'handoff' | 'failed', streamId = 'c1-1') => ({
      conversationId: 'c1',
      streamId,
      authorName: 'Pip',
      text,
      sources: [{ title: 'Hours', url: 'https://shop.example/hours' }],
      state,
    });
    t.server.handlers.onAiStream!(ev('We', 'streaming'));
    t.server.handlers.onAiStream!(ev('We open', 'streaming'));
    expect(t.store.get().aiStream).toMatchObject({ text: 'We open', state: 'streaming' });
    t.server.handlers.onAiStream!(ev('We open at 9.', 'done'));
    t.server.handlers.onAiStream!(ev('We open at', 'streaming')); // late partial: ignored
    expect(t.store.get().aiStream).toMatchObject({ text: 'We open at 9.', state: 'done' });
    t.server.handlers.onAiStream!({ ...ev('other conversation', 'streaming'), conversationId: 'c2' });
    expect(t.store.get().aiStream?.text).toBe('We open at 9.');
    t.server.handlers.onMessage({ ...msg(2), sender: 'ai', authorName: 'Pip', body: 'We open at 9.' });
    expect(t.store.get().aiStream).toBeNull();
    expect(t.store.get().chat.messages.map((m) => m.sender)).toContain('ai');

    t.server.handlers.onAiStream!(ev('Let me', 'streaming', 'c1-3'));
    t.server.handlers.onAiStream!(ev('', 'handoff', 'c1-3'));
    expect(t.store.get()).toMatchObject({ aiStream: null, aiNotice: 'handoff' });
    t.server.handlers.onMessage({ ...msg(4), sender: 'operator', authorName: 'Ann', body: 'Hi, Ann here' });
    expect(t.store.get().aiNotice).toBeNull();
  });

  it("takes the AI's notice from the session: a reload shows it again, a later session without it clears it", () => {
    const t = setup();
    t.server.connect();
    t.server.session({ conversationId: 'c1', lastSeq: 3, aiNotice: 'handoff' });
    expect(t.store.get().aiNotice).toBe('handoff');
    // A person replied while the widget was away: the server no longer sends it.
    t.server.session({ conversationId: 'c1', lastSeq: 4 });
    expect(t.store.get().aiNotice).toBeNull();
    t.server.session({ conversationId: 'c1', lastSeq: 5, aiNotice: 'failed' });
    expect(t.store.get().aiNotice).toBe('failed');
  });

  it('shows operator typing, clears it on their message and after the timeout', async () => {
    vi.useFakeTimers();
    try {
      const t = setup();
      t.server.connect();
      t.server.session();
      t.server.handlers.onTyping({ sender: 'operator', authorName: 'Ann', isTyping: true });
      expect(t.store.get().typing).toMatchObject({ authorName: 'Ann' });
      t.server.handlers.onMessage(msg(1));
      expect(t.store.get().typing).toBeNull();
      t.server.handlers.onTyping({ sender: 'operator', authorName: 'Ann', isTyping: true });
      vi.advanceTimersByTime(5900);
      expect(t.store.get().typing).not.toBeNull();
      vi.advanceTimersByTime(200);
      expect(t.store.get().typing).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends typing:update debounced and always clears it on send', () => {
    vi.useFakeTimers();
    try {
      const t = setup();
      t.server.connect();
      t.controller.onInput('h');
      t.controller.onInput('he');
      t.controller.onInput('hel');
      expect(t.sent('typingUpdate')).toEqual([{ isTyping: true }]);
      t.controller.send('hel');
      expect(t.sent('typingUpdate')).toEqual([{ isTyping: true }, { isTyping: false }]);
      t.controller.onInput('x');
      t.controller.onBlur();
      expect(t.sent('typingUpdate')).toEqual([
        { isTyping: true },
        { isTyping: false },
        { isTyping: true },
        { isTyping: false },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends read {seq} once per new seq while open and visible, again after a reconnect', async () => {
    const t = setup();
    t.server.connect();
    t.server.session();
    t.history[0]!.reply({ ok: true, messages: [msg(1), msg(2)], hasMore: false });
    await t.flush();
    expect(t.sent('read')).toEqual([]);
    t.controller.open();
    expect(t.sent('read')).toEqual([{ seq: 2 }]);
    t.server.handlers.onMessage(msg(3));
    t.controller.onPageVisible();
    expect(t.sent('read')).toEqual([{ seq: 2 }, { seq: 3 }]);
    t.server.connect(true);
    t.controller.onPageVisible();
    expect(t.sent('read')).toEqual([{ seq: 2 }, { seq: 3 }, { seq: 3 }]);
  });

  it('tells the page about open, close, unread and new replies', async () => {
    const t = setup();
    t.server.connect();
    t.server.session();
    t.server.handlers.onMessage(msg(1, { body: 'hello there' }));
    t.controller.open();
    t.controller.close();
    expect(t.notified).toEqual([
      ['unread', 0],
      ['unread', 1],
      ['message', { sender: 'operator', authorName: 'Ann', body: 'hello there' }],
      ['open', undefined],
      ['unread', 0],
      ['close', undefined],
    ]);
  });
});

describe('history throughSeq', () => {
  it('treats seqs the server accounts for as synced, so hidden seqs are not a gap', async () => {
    const t = setup();
    t.server.connect();
    t.server.session();
    t.history[0]!.reply({ ok: true, messages: [msg(1), msg(3)], hasMore: false, throughSeq: 4 });
    await t.flush();
    expect(t.store.get().chat.syncedSeq).toBe(4);
    t.server.handlers.onMessage(msg(5));
    expect(t.history).toHaveLength(1); // 5 follows 4: nothing missing
  });
});

describe('identify, trigger and forms', () => {
  it('keeps identify and trigger until the session, then sends them; identify again on reconnect', async () => {
    const t = setup();
    t.controller.identify({
      id: 'u_1',
      email: 'ann@example.com',
      name: ' Ann ',
      hash: 'a'.repeat(64),
      plan: 'pro',
      seats: 3,
      nested: { no: 1 },
    });
    t.controller.track('checkout.started', { total: 42, items: ['x'] });
    t.controller.track('bad name!');
    expect(t.requests).toEqual([]);
    t.server.connect();
    t.server.session();
    expect(t.sent('identify')).toEqual([
      { id: 'u_1', email: 'ann@example.com', name: 'Ann', hash: 'a'.repeat(64), traits: { plan: 'pro', seats: 3 } },
    ]);
    expect(t.sent('event')).toEqual([{ name: 'checkout.started', data: { total: 42 } }]);
    t.requests.find((r) => r.event === 'identify')!.reply({ ok: true, verified: true });
    await t.flush();
    expect(t.store.get().hasEmail).toBe(true);
    t.server.connect(true);
    t.server.session();
    expect(t.sent('identify')).toHaveLength(2);
    expect(t.sent('event')).toHaveLength(1); // events are sent once
  });

  it('passes a signed identity token through as the token, never as a trait', () => {
    const t = setup();
    const token = `eyJhbGciOiJIUzI1NiJ9.${'e'.repeat(600)}.sig_-0`;
    t.controller.identify({ id: 'u_2', email: 'bo@example.com', token, plan: 'pro' });
    t.server.connect();
    t.server.session();
    expect(t.sent('identify')).toEqual([{ id: 'u_2', email: 'bo@example.com', token, traits: { plan: 'pro' } }]);
  });

  it('submits the pre-chat form, remembers it, and shows the server error otherwise', async () => {
    const t = setup();
    t.server.connect();
    const first = t.controller.submitPreChat({ email: 'x@example.com', name: '  ', fields: {} });
    expect(t.store.get().forms.preChat.status).toBe('sending');
    expect(t.sent('preChat')).toEqual([{ email: 'x@example.com' }]);
    t.requests[0]!.reply({ ok: false, error: { code: 'bad_request', message: 'Invalid email' } });
    expect(await first).toBe(false);
    expect(t.store.get().forms.preChat).toEqual({ status: 'idle', error: 'Invalid email' });
    const second = t.controller.submitPreChat({ email: 'ann@example.com', name: 'Ann', fields: { company: 'Acme' } });
    t.requests[1]!.reply({ ok: true });
    expect(await second).toBe(true);
    expect(t.sent('preChat')[1]).toEqual({ email: 'ann@example.com', name: 'Ann', fields: { company: 'Acme' } });
    expect(t.local.get('pocketping:pk_test_123:prechat')).toBe('1');
    expect(t.store.get().hasEmail).toBe(true);
  });

  it('asks for CSAT when the conversation closes with csatRequested and sends the rating', async () => {
    const t = setup();
    t.server.connect();
    t.server.session();
    t.server.handlers.onConversation({ conversationId: 'c1', status: 'closed', csatRequested: true });
    expect(t.store.get()).toMatchObject({ conversationStatus: 'closed', isCsatRequested: true });
    const done = t.controller.submitCsat(4, '  great  ');
    expect(t.sent('csat')).toEqual([{ score: 4, comment: 'great' }]);
    t.requests[0]!.reply({ ok: true });
    expect(await done).toBe(true);
    expect(t.store.get()).toMatchObject({ isCsatRequested: false, forms: { csat: { status: 'done' } } });
    t.server.handlers.onConversation({ conversationId: 'c1', status: 'open', csatRequested: false });
    expect(t.store.get().conversationStatus).toBe('open');
  });
});

describe('attachments', () => {
  function fakeUpload() {
    const calls: {
      name: string;
      progress: (f: number) => void;
      resolve: (r: Awaited<TUploadHandle['done']>) => void;
      aborted: boolean;
    }[] = [];
    const upload: TWidgetControllerDeps['upload'] = (o) => {
      const d = deferred<Awaited<TUploadHandle['done']>>();
      const call = { name: o.file.name ?? '', progress: o.onProgress, resolve: d.resolve, aborted: false };
      calls.push(call);
      return {
        done: d.promise,
        abort: () => ((call.aborted = true), d.resolve({ ok: false, error: { code: 'aborted', message: 'x' } })),
      };
    };
    return { calls, upload };
  }
  const file = (name: string, size: number) => ({ name, size }) as File;

  it('refuses files over 10 MB with a notice, uploads the others with progress, sends their ids', async () => {
    const up = fakeUpload();
    const t = setup({ deps: { upload: up.upload } });
    t.server.connect();
    t.controller.addFiles([file('huge.zip', 10 * 1024 * 1024 + 1), file('cat.png', 2048)]);
    expect(t.store.get().notice).toMatch(/huge\.zip is too large \(max 10 MB\)/);
    expect(up.calls.map((c) => c.name)).toEqual(['cat.png']);
    up.calls[0]!.progress(0.5);
    expect(t.store.get().uploads[0]).toMatchObject({ name: 'cat.png', status: 'uploading', progress: 0.5 });
    expect(t.controller.send('look')).toBe(false); // still uploading
    const ref = { id: 'att_1', name: 'cat.png', contentType: 'image/png', size: 2048, url: 'https://rt/f/1' };
    up.calls[0]!.resolve({ ok: true, attachment: ref });
    await t.flush();
    expect(t.controller.send('')).toBe(true); // a file alone is a message
    expect(t.sends[0]!.payload).toEqual({ clientId: expect.any(String), body: '', attachmentIds: ['att_1'] });
    expect(t.store.get().chat.pending[0]!.attachments).toEqual([ref]);
    expect(t.store.get().uploads).toEqual([]);
  });

  it('shows a refused upload and lets the visitor remove it (aborting a running one)', async () => {
    const up = fakeUpload();
    const t = setup({ deps: { upload: up.upload } });
    t.controller.addFiles([file('a.pdf', 10), file('b.pdf', 10)]);
    up.calls[0]!.resolve({ ok: false, error: { code: 'forbidden', message: 'File type not allowed' } });
    await t.flush();
    expect(t.store.get().uploads[0]).toMatchObject({ status: 'failed', error: 'File type not allowed' });
    t.controller.removeUpload(t.store.get().uploads[1]!.id);
    expect(up.calls[1]!.aborted).toBe(true);
    expect(t.store.get().uploads.map((u) => u.name)).toEqual(['a.pdf']);
  });
});
