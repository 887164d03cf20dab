import { createInboundTransports, type TBridgesConfig, type TRunningTransport } from '@pocketping/bridges';
import type { TWorkerContext } from '../context.js';
import { createTransportPorts } from './create-transport-ports.js';

export interface TTransportRunner {
  close(): Promise<void>;
}

/**
 * Starts every long-running inbound transport of the registered chat apps this server is configured for (Telegram
 * long polling, Slack Socket Mode, the Discord gateway), each in the background, with the worker's ports.
 */
export function startTransports(ctx: TWorkerContext, config: TBridgesConfig, redisPrefix: string): TTransportRunner {
  const ports = createTransportPorts(ctx, redisPrefix);
  const running: { name: string; transport: TRunningTransport }[] = createInboundTransports(config).map((t) => {
    ctx.log.info({ transport: t.name }, 'starting inbound transport');
    return { name: t.name, transport: t.start(ports, ctx.log) };
  });
  return {
    async close() {
      // Last started first, one at a time: each waits for what it is storing.
      for (const { name, transport } of running.reverse()) {
        await transport
          .close()
          .catch((err: unknown) =>
            ctx.log.warn({ transport: name, err: err instanceof Error ? err.message : String(err) }, 'close failed'),
          );
      }
    },
  };
}
