// A visitor as the protocol sees it: the official socket.io-client against the real realtime server.
import { io, type Socket } from 'socket.io-client';
import type { TMessage, TSendAck, THistoryAck, TSessionEvent } from '@pocketping/protocol';

export interface TVisitor {
  socket: Socket;
  session: TSessionEvent;
  received: TMessage[];
  send(body: string, clientId?: string): Promise<TSendAck>;
  history(afterSeq: number): Promise<THistoryAck>;
  close(): void;
}

export async function connectVisitor(
  realtimeUrl: string,
  opts: { projectKey: string; origin: string; visitorToken?: string; auth?: Record<string, unknown> },
): Promise<TVisitor> {
  const socket = io(`${realtimeUrl}/widget`, {
    auth: {
      projectKey: opts.projectKey,
      ...(opts.visitorToken ? { visitorToken: opts.visitorToken } : {}),
      ...opts.auth,
    },
    extraHeaders: { origin: opts.origin },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const received: TMessage[] = [];
  socket.on('message', (m: TMessage) => received.push(m));
  const session = await new Promise<TSessionEvent>((resolve, reject) => {
    socket.once('session', resolve);
    socket.once('connect_error', (err: Error & { data?: unknown }) =>
      reject(Object.assign(new Error(err.message), { data: err.data })),
    );
  });
  let n = 0;
  return {
    socket,
    session,
    received,
    send: (body, clientId) =>
      socket.timeout(10_000).emitWithAck('message:send', { body, clientId: clientId ?? `c${Date.now()}${n++}xyz` }),
    history: (afterSeq) => socket.timeout(10_000).emitWithAck('history', { afterSeq }),
    close: () => socket.close(),
  };
}
