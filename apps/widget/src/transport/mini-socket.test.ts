// The small Socket.IO client against the REAL socket.io 4.8.4 server (the version apps/realtime runs): handshake
// with auth, refusals, events and acks both ways, server-side disconnect, a cut connection, ping timeout.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server as THttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as TServerSocket } from 'socket.io';
import {
  createMiniSocket,
  decodePacket,
  encodePacket,
  type TConnectError,
  type TMiniSocket,
  type TWebSocketCtor,
  type TWebSocketLike,
} from './mini-socket.js';

// Node 20 has no global WebSocket; `ws` (a root devDependency, socket.io's own transport) has the browser API.
// The specifier is a variable so tsc does not look for its (absent) type declarations.
const wsModule = 'ws';
const { WebSocket: NodeWebSocket } = (await import(wsModule)) as { WebSocket: TWebSocketCtor };

/** A WebSocket that can turn into a black hole: frames in both directions vanish, the TCP stays open. */
function createBlackHoleWebSocket() {
  const state = { isBlackHole: false, opened: 0 };
  class BlackHoleWebSocket implements TWebSocketLike {
    onopen: TWebSocketLike['onopen'] = null;
    onmessage: TWebSocketLike['onmessage'] = null;
    onclose: TWebSocketLike['onclose'] = null;
    onerror: TWebSocketLike['onerror'] = null;
    private readonly inner: TWebSocketLike;
    constructor(url: string) {
      state.opened++;
      this.inner = new NodeWebSocket(url);
      this.inner.onopen = (e) => this.onopen?.(e);
      this.inner.onmessage = (e) => (state.isBlackHole ? undefined : this.onmessage?.(e));
      this.inner.onclose = (e) => this.onclose?.(e);
      this.inner.onerror = (e) => this.onerror?.(e);
    }
    send(data: string) {
      if (!state.isBlackHole) this.inner.send(data);
    }
    close() {
      this.inner.close();
    }
  }
  return { Ctor: BlackHoleWebSocket as TWebSocketCtor, state };
}

async function until<T>(fn: () => T, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('packet codec', () => {
  it('round-trips namespace, ack id and payload, and rejects garbage', () => {
    expect(encodePacket(2, '/widget', 12, ['m', { a: 1 }])).toBe('2/widget,12["m",{"a":1}]');
    expect(decodePacket('2/widget,12["m",{"a":1}]')).toEqual({
      type: 2,
      nsp: '/widget',
      id: 12,
      data: ['m', { a: 1 }],
    });
    expect(decodePacket('3/widget,7[{"ok":true}]')).toEqual({ type: 3, nsp: '/widget', id: 7, data: [{ ok: true }] });
    expect(decodePacket('1/widget,')).toEqual({ type: 1, nsp: '/widget', id: null, data: undefined });
    expect(decodePacket('2["x"]')).toEqual({ type: 2, nsp: '/', id: null, data: ['x'] });
    for (const bad of ['', 'x', '9', '2/widget,{bad json', '2/widget,1{']) expect(decodePacket(bad)).toBeNull();
  });
});

describe('mini socket against socket.io 4.8.4', () => {
  let http: THttpServer;
  let io: Server;
  let url: string;
  let serverSockets: TServerSocket[];
  let client: TMiniSocket | null;

  async function start(opts: { pingInterval?: number; pingTimeout?: number } = {}) {
    http = createServer();
    io = new Server(http, {
      pingInterval: opts.pingInterval ?? 25_000,
      pingTimeout: opts.pingTimeout ?? 20_000,
      serveClient: false,
    });
    serverSockets = [];
    const widget = io.of('/widget');
    widget.use((socket, next) => {
      const auth = socket.handshake.auth as { projectKey?: string };
      if (auth.projectKey === 'pk_busy' && (auth as { attempt?: number }).attempt === 1)
        return next(Object.assign(new Error('Too many connections'), { data: { code: 'rate_limited' } }));
      if (auth.projectKey === 'pk_busy') return next();
      if (auth.projectKey === 'pk_refused')
        return next(Object.assign(new Error('Origin x is not allowed'), { data: { code: 'forbidden' } }));
      if (auth.projectKey !== 'pk_good_key')
        return next(Object.assign(new Error('Unknown project key'), { data: { code: 'unauthorized' } }));
      next();
    });
    widget.on('connection', (socket) => {
      serverSockets.push(socket);
      socket.on('echo', (payload: unknown, ack: (r: unknown) => void) =>
        ack({ ok: true, payload, auth: socket.handshake.auth }),
      );
      socket.on('note', (payload: unknown) => socket.emit('noted', payload));
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  beforeEach(() => {
    client = null;
  });
  afterEach(async () => {
    client?.disconnect();
    await new Promise<void>((r) => io.close(() => r()));
  });

  function connect(projectKey: string, extra: Partial<Parameters<typeof createMiniSocket>[0]> = {}) {
    let n = 0;
    const events: string[] = [];
    const errors: TConnectError[] = [];
    const socket = createMiniSocket({
      url,
      namespace: '/widget',
      WebSocket: NodeWebSocket,
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
      auth: () => ({ projectKey, attempt: ++n }),
      ...extra,
    });
    socket.on('connect', () => events.push('connect'));
    socket.on('disconnect', (reason, willReconnect) =>
      events.push(`disconnect:${String(reason)}:${String(willReconnect)}`),
    );
    socket.on('connect_error', (err) => errors.push(err as TConnectError));
    client = socket;
    socket.connect();
    return { socket, events, errors };
  }

  it('connects to the namespace with the auth payload; events and acks both ways', async () => {
    await start();
    const { socket, events } = connect('pk_good_key');
    await until(() => socket.connected, 'connect');
    expect(events).toEqual(['connect']);

    // client → server with ack; the server saw the auth payload
    expect(await socket.emitWithAck('echo', { x: 'é"\\n' }, 2000)).toEqual({
      ok: true,
      payload: { x: 'é"\\n' },
      auth: { projectKey: 'pk_good_key', attempt: 1 },
    });
    // client → server without ack, server → client event
    const noted: unknown[] = [];
    socket.on('noted', (p) => noted.push(p));
    expect(socket.emit('note', [1, 2])).toBe(true);
    await until(() => noted.length === 1, 'noted');
    expect(noted).toEqual([[1, 2]]);
  });

  it('answers a server emitWithAck', async () => {
    await start();
    const { socket } = connect('pk_good_key');
    socket.on('question', (payload, ack) => (ack as (r: unknown) => void)({ got: payload }));
    await until(() => socket.connected, 'connect');
    expect(await serverSockets[0]!.timeout(2000).emitWithAck('question', { q: 1 })).toEqual({ got: { q: 1 } });
  });

  it('reports a refused handshake with its data and does not retry a final refusal', async () => {
    await start();
    const { socket, errors, events } = connect('pk_refused');
    await until(() => errors.length > 0, 'connect_error');
    expect(errors[0]).toEqual({ message: 'Origin x is not allowed', data: { code: 'forbidden' } });
    expect(socket.active).toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    expect(errors).toHaveLength(1);
    expect(events).toEqual([]);
    expect(socket.emit('note', 1)).toBe(false);
    await expect(socket.emitWithAck('echo', 1, 500)).rejects.toThrow('not connected');
  });

  it('retries by itself after a transient refusal (rate_limited), with fresh auth', async () => {
    await start();
    const { socket, errors } = connect('pk_busy');
    await until(() => socket.connected, 'connect after the retry');
    expect(errors).toEqual([{ message: 'Too many connections', data: { code: 'rate_limited' } }]);
    expect(serverSockets[0]!.handshake.auth).toEqual({ projectKey: 'pk_busy', attempt: 2 });
  });

  it('handles a server-side disconnect like the official client: no automatic reconnect', async () => {
    await start();
    const { socket, events } = connect('pk_good_key');
    await until(() => socket.connected, 'connect');
    serverSockets[0]!.disconnect(true);
    await until(() => events.length === 2, 'disconnect');
    expect(events).toEqual(['connect', 'disconnect:io server disconnect:false']);
    expect(socket.active).toBe(false);
    socket.connect(); // the widget's explicit retry
    await until(() => socket.connected, 'reconnect');
    expect(serverSockets).toHaveLength(2);
  });

  it('reconnects by itself when the connection is cut, with fresh auth, and rejects acks in flight', async () => {
    await start();
    io.of('/widget').on('connection', (s) => s.on('slow', () => undefined)); // never acks
    const { socket, events } = connect('pk_good_key');
    await until(() => socket.connected, 'connect');
    const inFlight = socket.emitWithAck('slow', {}, 10_000);
    // Destroy the TCP socket under the server's WebSocket: the client sees the transport close.
    const conn = serverSockets[0]!.conn as unknown as { transport: { socket: { _socket: { destroy(): void } } } };
    conn.transport.socket._socket.destroy();
    await expect(inFlight).rejects.toThrow('transport close');
    await until(() => serverSockets.length === 2 && socket.connected, 'reconnect');
    expect(events).toEqual(['connect', 'disconnect:transport close:true', 'connect']);
    expect(serverSockets[1]!.handshake.auth).toEqual({ projectKey: 'pk_good_key', attempt: 2 });
    expect(await socket.emitWithAck('echo', 'after', 2000)).toMatchObject({ ok: true, payload: 'after' });
  });

  it('keeps retrying while the server is down and connects when it is back', async () => {
    await start();
    const port = (http.address() as AddressInfo).port;
    const { socket, events, errors } = connect('pk_good_key');
    await until(() => socket.connected, 'connect');
    await new Promise<void>((r) => io.close(() => r()));
    await until(() => errors.length >= 2, 'failed attempts');
    expect(socket.active).toBe(true);
    // Same port, fresh server.
    http = createServer();
    io = new Server(http, { serveClient: false });
    io.of('/widget').on('connection', (s) => serverSockets.push(s));
    await new Promise<void>((r) => http.listen(port, '127.0.0.1', r));
    await until(() => socket.connected, 'reconnect to the new server');
    expect(events[0]).toBe('connect');
    expect(events[1]).toMatch(/^disconnect:transport close:true$/);
    expect(events[events.length - 1]).toBe('connect');
  }, 10_000);

  it('answers pings and detects a dead connection by the ping timeout', async () => {
    await start({ pingInterval: 100, pingTimeout: 200 });
    const hole = createBlackHoleWebSocket();
    const { socket, events } = connect('pk_good_key', { WebSocket: hole.Ctor });
    await until(() => socket.connected, 'connect');
    // Several ping periods pass: the client pongs, so the server keeps it.
    await new Promise((r) => setTimeout(r, 500));
    expect(socket.connected).toBe(true);
    expect(serverSockets[0]!.connected).toBe(true);
    // The network goes silent without closing: only the heartbeat can tell.
    hole.state.isBlackHole = true;
    const lostAt = Date.now();
    await until(() => events.includes('disconnect:ping timeout:true'), 'ping timeout', 3000);
    expect(Date.now() - lostAt).toBeLessThan(1000); // pingInterval + pingTimeout = 300 ms, plus one interval at most
    hole.state.isBlackHole = false;
    await until(() => socket.connected && hole.state.opened === 2, 'reconnect after ping timeout');
  });

  it('disconnect() closes for good and tells the server', async () => {
    await start();
    const { socket, events } = connect('pk_good_key');
    await until(() => socket.connected, 'connect');
    const serverSide = serverSockets[0]!;
    const reasons: string[] = [];
    serverSide.on('disconnect', (r) => reasons.push(r));
    socket.disconnect();
    await until(() => reasons.length === 1, 'server disconnect');
    expect(reasons).toEqual(['client namespace disconnect']);
    expect(events).toEqual(['connect', 'disconnect:io client disconnect:false']);
    await new Promise((r) => setTimeout(r, 300));
    expect(serverSockets).toHaveLength(1);
  });
});
