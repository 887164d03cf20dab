// A small Socket.IO client: Engine.IO v4 + Socket.IO v5 over a plain WebSocket, one namespace, JSON only.
// The official socket.io-client is ~14.7 kB gzipped, most of the widget's budget; this covers what the widget
// uses in ~2 kB. Wire format: https://socket.io/docs/v4/engine-io-protocol/ and /socket-io-protocol/.
//
// Deliberate differences from the official client:
// - WebSocket transport only (no long-polling fallback): every browser the widget targets has it.
// - Emits made while disconnected are dropped, not buffered: the widget's own retry (same clientId) resends.
// - Acks still pending when the connection drops are rejected at once instead of waiting for their timeout.
// - A handshake refused with a transient code (`internal`, `rate_limited`) is retried with backoff.

/** The slice of the WebSocket API used here, so tests can pass Node's `ws` and count connections. */
export interface TWebSocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(): void;
}
export type TWebSocketCtor = new (url: string) => TWebSocketLike;

/** What `connect_error` carries: the server's `next(err)` message and its `err.data`. */
export interface TConnectError {
  message: string;
  data: unknown;
}

export interface TMiniSocketOptions {
  /** Origin (http/https) of the server. */
  url: string;
  /** Engine path, '/socket.io' by default. */
  path?: string;
  namespace: string;
  /** Called before every (re)connect: the auth may change between attempts. */
  auth?: () => object;
  WebSocket?: TWebSocketCtor;
  /** First reconnection delay; doubles each attempt up to `reconnectionDelayMax`. */
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  /** Delays are spread by ±this fraction so a server restart is not met by every client at the same instant. */
  randomizationFactor?: number;
  /** Gives up on an attempt (socket open + namespace CONNECT) after this long. */
  connectTimeout?: number;
}

type TListener = (...args: unknown[]) => void;

export interface TMiniSocket {
  readonly connected: boolean;
  /** True while connected or trying to (re)connect; false after disconnect() or a final refusal. */
  readonly active: boolean;
  /** Reserved events: 'connect', 'disconnect' (reason, willReconnect), 'connect_error' (TConnectError). */
  on(event: string, fn: TListener): void;
  off(event: string, fn: TListener): void;
  /** Sends an event; returns false (and sends nothing) when not connected. */
  emit(event: string, ...args: unknown[]): boolean;
  /** Sends an event expecting an ack; rejects when not connected, on disconnect, or after `timeoutMs`. */
  emitWithAck(event: string, payload: unknown, timeoutMs: number): Promise<unknown>;
  /** (Re)starts connecting if not active; when waiting for a reconnection, tries at once. */
  connect(): void;
  disconnect(): void;
}

// Engine.IO packet types (first character of a text frame).
const EIO_OPEN = '0';
const EIO_CLOSE = '1';
const EIO_PING = '2';
const EIO_PONG = '3';
const EIO_MESSAGE = '4';
// Socket.IO packet types (first character of an Engine.IO message).
const SIO_CONNECT = 0;
const SIO_DISCONNECT = 1;
const SIO_EVENT = 2;
const SIO_ACK = 3;
const SIO_CONNECT_ERROR = 4;

/** Refusal codes worth retrying by ourselves: the server says it is a passing condition. */
const TRANSIENT_CODES = ['internal', 'rate_limited'];

interface TPacket {
  type: number;
  nsp: string;
  id: number | null;
  data: unknown;
}

/** Parses a Socket.IO text packet: `<type>[<nsp>,][<ackId>][<json>]`. Returns null for anything else. */
export function decodePacket(str: string): TPacket | null {
  const type = Number(str.charAt(0));
  if (!(type >= 0 && type <= 6) || str === '') return null;
  let i = 1;
  let nsp = '/';
  if (str.charAt(i) === '/') {
    const end = str.indexOf(',', i);
    nsp = end === -1 ? str.slice(i) : str.slice(i, end);
    i = end === -1 ? str.length : end + 1;
  }
  let digits = '';
  while (i < str.length && str.charCodeAt(i) >= 48 && str.charCodeAt(i) <= 57) digits += str.charAt(i++);
  let data: unknown;
  if (i < str.length) {
    try {
      data = JSON.parse(str.slice(i));
    } catch {
      return null;
    }
  }
  return { type, nsp, id: digits === '' ? null : Number(digits), data };
}

export function encodePacket(type: number, nsp: string, id: number | null, data?: unknown): string {
  return `${type}${nsp === '/' ? '' : `${nsp},`}${id === null ? '' : id}${data === undefined ? '' : JSON.stringify(data)}`;
}

export function createMiniSocket(options: TMiniSocketOptions): TMiniSocket {
  const { namespace } = options;
  const Ctor = options.WebSocket ?? (WebSocket as unknown as TWebSocketCtor);
  const baseDelay = options.reconnectionDelay ?? 1000;
  const maxDelay = options.reconnectionDelayMax ?? 10_000;
  const jitter = options.randomizationFactor ?? 0.5;
  const connectTimeout = options.connectTimeout ?? 20_000;
  const wsUrl = `${options.url.replace(/^http/, 'ws')}${(options.path ?? '/socket.io').replace(/\/?$/, '/')}?EIO=4&transport=websocket`;

  const listeners = new Map<string, TListener[]>();
  const acks = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }
  >();
  let ws: TWebSocketLike | null = null;
  let connected = false;
  let active = false;
  let attempts = 0;
  let nextAckId = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setTimeout> | undefined;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let pingWindow = 0;

  function fire(event: string, args: unknown[]) {
    for (const fn of (listeners.get(event) ?? []).slice()) fn(...args);
  }

  function write(frame: string): boolean {
    if (!ws) return false;
    try {
      ws.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  /** Engine.IO heartbeat: the server pings every pingInterval; silence for pingInterval+pingTimeout means dead. */
  function armPingTimeout() {
    clearTimeout(pingTimer);
    if (pingWindow > 0) pingTimer = setTimeout(() => drop('ping timeout', true), pingWindow);
  }

  /** Closes the current WebSocket; notifies and schedules a reconnection when asked to. */
  function drop(reason: string, reconnect: boolean) {
    const socket = ws;
    ws = null;
    clearTimeout(pingTimer);
    clearTimeout(connectTimer);
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close();
      } catch {
        // already closed
      }
    }
    for (const [id, ack] of acks) {
      clearTimeout(ack.timer);
      ack.reject(new Error(reason));
      acks.delete(id);
    }
    const wasConnected = connected;
    connected = false;
    if (!reconnect) active = false;
    if (wasConnected) fire('disconnect', [reason, active]);
    if (active) scheduleReconnect();
  }

  function scheduleReconnect() {
    clearTimeout(retryTimer);
    const raw = Math.min(maxDelay, baseDelay * Math.pow(2, attempts++));
    const delay = Math.round(raw * (1 - jitter + Math.random() * 2 * jitter));
    retryTimer = setTimeout(open, Math.min(delay, maxDelay));
  }

  function open() {
    clearTimeout(retryTimer);
    if (ws || !active) return;
    // (The URL is built from a validated http(s) origin, so the constructor does not throw.)
    const socket = new Ctor(wsUrl);
    ws = socket;
    connectTimer = setTimeout(() => {
      fire('connect_error', [{ message: 'timeout', data: undefined }]);
      drop('connect timeout', true);
    }, connectTimeout);
    socket.onmessage = (ev) => {
      if (typeof ev.data === 'string') onFrame(ev.data);
    };
    socket.onclose = () => {
      if (ws !== socket) return;
      if (!connected) fire('connect_error', [{ message: 'websocket error', data: undefined }]);
      drop('transport close', true);
    };
    socket.onerror = () => undefined; // onclose follows and handles it
  }

  function onFrame(frame: string) {
    const kind = frame.charAt(0);
    if (kind === EIO_PING) {
      write(EIO_PONG);
      armPingTimeout();
    } else if (kind === EIO_OPEN) {
      try {
        const hs = JSON.parse(frame.slice(1)) as { pingInterval?: unknown; pingTimeout?: unknown };
        pingWindow = Number(hs.pingInterval) + Number(hs.pingTimeout) || 0;
      } catch {
        pingWindow = 0;
      }
      armPingTimeout();
      write(EIO_MESSAGE + encodePacket(SIO_CONNECT, namespace, null, options.auth ? options.auth() : undefined));
    } else if (kind === EIO_CLOSE) {
      drop('transport close', true);
    } else if (kind === EIO_MESSAGE) {
      const packet = decodePacket(frame.slice(1));
      if (packet && packet.nsp === namespace) onPacket(packet);
    }
  }

  function onPacket(p: TPacket) {
    if (p.type === SIO_CONNECT) {
      clearTimeout(connectTimer);
      connected = true;
      attempts = 0;
      fire('connect', []);
    } else if (p.type === SIO_CONNECT_ERROR) {
      const body = (typeof p.data === 'object' && p.data !== null ? p.data : {}) as {
        message?: unknown;
        data?: unknown;
      };
      const err: TConnectError = {
        message: typeof body.message === 'string' ? body.message : 'connection refused',
        data: body.data,
      };
      const code = (body.data as { code?: unknown } | undefined)?.code;
      const willRetry = typeof code === 'string' && TRANSIENT_CODES.includes(code);
      if (!willRetry) active = false;
      drop('refused', willRetry);
      fire('connect_error', [err]);
    } else if (p.type === SIO_EVENT && Array.isArray(p.data) && typeof p.data[0] === 'string') {
      const args: unknown[] = p.data.slice(1);
      const id = p.id;
      if (id !== null) {
        let sent = false;
        args.push((...res: unknown[]) => {
          if (!sent) sent = write(EIO_MESSAGE + encodePacket(SIO_ACK, namespace, id, res));
        });
      }
      fire(p.data[0], args);
    } else if (p.type === SIO_ACK && p.id !== null) {
      const ack = acks.get(p.id);
      if (!ack) return;
      acks.delete(p.id);
      clearTimeout(ack.timer);
      ack.resolve(Array.isArray(p.data) ? p.data[0] : undefined);
    } else if (p.type === SIO_DISCONNECT) {
      // The server closed our namespace on purpose ('io server disconnect'): like the official client, do not retry.
      drop('io server disconnect', false);
    }
  }

  const onOnline = () => {
    if (active && !ws) open();
  };
  const hasWindow = typeof window !== 'undefined' && typeof window.addEventListener === 'function';

  return {
    get connected() {
      return connected;
    },
    get active() {
      return active;
    },
    on(event, fn) {
      listeners.set(event, [...(listeners.get(event) ?? []), fn]);
    },
    off(event, fn) {
      listeners.set(
        event,
        (listeners.get(event) ?? []).filter((l) => l !== fn),
      );
    },
    emit(event, ...args) {
      return connected && write(EIO_MESSAGE + encodePacket(SIO_EVENT, namespace, null, [event, ...args]));
    },
    emitWithAck(event, payload, timeoutMs) {
      return new Promise((resolve, reject) => {
        const id = nextAckId++;
        if (!connected || !write(EIO_MESSAGE + encodePacket(SIO_EVENT, namespace, id, [event, payload]))) {
          reject(new Error('not connected'));
          return;
        }
        const timer = setTimeout(() => {
          acks.delete(id);
          reject(new Error('operation has timed out'));
        }, timeoutMs);
        acks.set(id, { resolve, reject, timer });
      });
    },
    connect() {
      if (!active) {
        active = true;
        attempts = 0;
        // Back online after a network change: skip the rest of the backoff.
        if (hasWindow) window.addEventListener('online', onOnline);
      }
      if (!ws) open();
    },
    disconnect() {
      if (hasWindow) window.removeEventListener('online', onOnline);
      clearTimeout(retryTimer);
      if (connected) write(EIO_MESSAGE + encodePacket(SIO_DISCONNECT, namespace, null));
      active = false;
      drop('io client disconnect', false);
    },
  };
}
