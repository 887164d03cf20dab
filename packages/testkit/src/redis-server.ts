import { spawn, type ChildProcess } from 'node:child_process';
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

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
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
