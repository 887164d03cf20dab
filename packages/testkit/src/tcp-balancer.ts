// A TCP load balancer for tests that run several realtime nodes: each new client connection goes to the next
// backend in turn, skipping backends that refuse it (a killed or draining node) — what a cloud load balancer or a
// Kubernetes Service does for clients that reconnect after their node went away.
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TTcpBalancer {
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** The backend ports new connections are spread over (connections already made stay where they are). */
  setBackends(ports: readonly number[]): void;
  /** Open client connections per backend port. */
  openConnections(): Map<number, number>;
  close(): Promise<void>;
}

export async function startTcpBalancer(initial: readonly number[]): Promise<TTcpBalancer> {
  let backends = [...initial];
  let next = 0;
  const open = new Map<number, Set<Socket>>();
  const clients = new Set<Socket>();

  const tryBackend = (client: Socket, attempt: number) => {
    if (attempt >= backends.length || client.destroyed) return void client.destroy();
    const port = backends[next++ % backends.length]!;
    const upstream = connect({ host: '127.0.0.1', port });
    const refused = () => tryBackend(client, attempt + 1);
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      const set = open.get(port) ?? new Set<Socket>();
      open.set(port, set.add(client));
      const end = () => {
        set.delete(client);
        client.destroy();
        upstream.destroy();
      };
      upstream.on('error', end).on('close', end);
      client.on('error', end).on('close', end);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    clients.add(client);
    client.once('close', () => clients.delete(client));
    tryBackend(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setBackends(ports) {
      backends = [...ports];
    },
    openConnections: () => new Map([...open].map(([p, s]) => [p, s.size])),
    async close() {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
