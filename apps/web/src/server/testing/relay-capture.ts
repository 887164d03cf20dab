import { createRedis, socketIoKey } from '@pocketping/jobs';

export interface TRelayed {
  nsp: string;
  room: string;
  event: string;
  args: unknown[];
}

/**
 * Records what the web app publishes on realtime's relay channel (pushes to widgets and dashboards), as realtime
 * would receive it. Call after setupWebTestEnv (it reads REDIS_URL and REDIS_PREFIX).
 */
export async function captureRelayedPushes(): Promise<{
  relayed: TRelayed[];
  waitForRelay(pred: (r: TRelayed) => boolean): Promise<TRelayed>;
  close(): void;
}> {
  const relayed: TRelayed[] = [];
  const sub = createRedis(process.env.REDIS_URL!, 'pubsub');
  const channel = `${socketIoKey({ url: process.env.REDIS_URL!, prefix: process.env.REDIS_PREFIX! })}-request#/dashboard#`;
  await sub.subscribe(channel);
  sub.on('message', (_channel: string, message: string) => {
    const parsed = JSON.parse(message) as { type: number; data: [string, TRelayed] };
    if (parsed.type === 6 && parsed.data[0] === 'pp:relay') relayed.push(parsed.data[1]);
  });
  return {
    relayed,
    async waitForRelay(pred) {
      for (let i = 0; i < 100; i++) {
        const hit = relayed.find(pred);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('no relayed push');
    },
    close: () => sub.disconnect(),
  };
}
