import { freePort, spawnApp, type TAppProcess, type TSpawnOptions } from './stack.js';

/**
 * Several realtime nodes and workers as real processes on one Postgres and Redis (the many-nodes e2e test and the
 * end-to-end bench): each realtime node on its own free port, each worker with its own health port. `env` is read at
 * each start, so a caller may fill it after creating this.
 */
export interface TAppNodes {
  /** Every process started, in start order. */
  processes: TAppProcess[];
  startRealtime(): Promise<{ process: TAppProcess; port: number }>;
  startWorker(): Promise<TAppProcess>;
  /** SIGTERM every process still running and wait for them. */
  stopAll(): Promise<void>;
}

export function createAppNodes(env: Record<string, string>, production?: TSpawnOptions['production']): TAppNodes {
  const processes: TAppProcess[] = [];
  const prod = production ? { production } : {};
  return {
    processes,
    async startRealtime() {
      const port = await freePort();
      const p = await spawnApp('realtime', {
        env: { ...env, REALTIME_PORT: String(port), REALTIME_HOST: '127.0.0.1' },
        readyUrl: `http://127.0.0.1:${port}/health`,
        ...prod,
      });
      processes.push(p);
      return { process: p, port };
    },
    async startWorker() {
      const p = await spawnApp('worker', {
        env: { ...env, WORKER_HEALTH_PORT: String(await freePort()), WORKER_HEALTH_HOST: '127.0.0.1' },
        readyWhen: (out) => out.includes('worker started'),
        ...prod,
      });
      processes.push(p);
      return p;
    },
    async stopAll() {
      await Promise.allSettled(processes.map((p) => p.stop()));
    },
  };
}
