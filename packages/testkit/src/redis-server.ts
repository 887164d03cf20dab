import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './stack.js';

/**
 * A private redis-server for a fault test that kills Redis: the machine's Redis (6379) is shared by other test runs,
 * so such a test runs its own on a free port, without persistence (`--save ""`, no AOF): a kill loses every key,
 * as a real crash of an unpersisted Redis does.
 */
export interface TRedisServer {
  port: number;
  url: string;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty), resolving when it accepts connections. */
  restart(): Promise<void>;
}

function launch(port: number, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise<ChildProcess>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
}

export async function startRedisServer(): Promise<TRedisServer> {
  const port = await freePort();
  let child = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      child = await launch(port);
    },
  };
}

/** A private Redis Cluster (masters only, no persistence) for the cluster smoke test and bench. */
export interface TRedisCluster {
  nodes: { host: string; port: number }[];
  /** A URL for settings that want one (REDIS_URL): in cluster mode only its credentials matter. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `masters` redis-server processes with `--cluster-enabled yes` in a temporary folder and joins them with
 * `redis-cli --cluster create` (slots spread evenly), resolving once every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<TRedisCluster> {
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile('/usr/bin/redis-cli', args, { timeout: 20_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
      ),
    );
  const dir = await mkdtemp(path.join(tmpdir(), 'pp-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(
      children.map((c) => {
        if (c.exitCode !== null || c.signalCode !== null) return undefined;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        return exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      ports.push(port);
      children.push(
        await launch(port, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(dir, `nodes-${port}.conf`),
          '--dir',
          dir,
        ]),
      );
    }
    await run([
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const deadline = Date.now() + 15_000;
    for (const port of ports) {
      while (!(await run(['-p', String(port), 'cluster', 'info'])).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error(`redis cluster node ${port} never reported cluster_state:ok`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), url: `redis://127.0.0.1:${ports[0]}`, stop };
}
