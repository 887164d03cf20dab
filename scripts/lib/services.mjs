// Makes sure Postgres and Redis answer. If a local one is down and its binaries are installed, starts it the way
// this machine's services are started; otherwise says exactly what to run. Never a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { fail, log } from './deps.mjs';

function reachable(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: timeoutMs }, () => {
      s.end();
      resolve(true);
    });
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(false));
  });
}

async function waitReachable(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(host, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const isLocal = (host) => ['127.0.0.1', 'localhost', '::1'].includes(host);
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

async function ensurePostgres(url) {
  const u = new URL(url);
  const host = u.hostname;
  const port = Number(u.port || 5432);
  if (await reachable(host, port)) return;
  if (isLocal(host) && which('pg_ctlcluster') && existsSync('/etc/postgresql')) {
    const version = readdirSync('/etc/postgresql')[0];
    log(`PostgreSQL is not answering on ${host}:${port}; starting it (pg_ctlcluster ${version} main start)`);
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    if (await waitReachable(host, port, 20)) return;
  }
  fail(
    `PostgreSQL is not reachable at ${host}:${port}.\n` +
      (isLocal(host)
        ? `  Install and start it:  apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n` +
          `  or with Docker:         docker compose -f infra/compose.yaml up -d postgres redis\n`
        : '') +
      `  or point DATABASE_URL (in .env) at a running server.`,
  );
}

async function ensureRedis(url) {
  const u = new URL(url);
  const host = u.hostname;
  const port = Number(u.port || 6379);
  if (await reachable(host, port)) return;
  if (isLocal(host) && which('redis-server')) {
    log(`Redis is not answering on ${host}:${port}; starting it (redis-server --daemonize yes)`);
    spawnSync(
      'redis-server',
      [
        '--daemonize',
        'yes',
        '--bind',
        '127.0.0.1',
        '-::1',
        '--port',
        String(port),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        '/tmp',
        '--logfile',
        '/tmp/pocketping-redis.log',
      ],
      { stdio: 'inherit' },
    );
    if (await waitReachable(host, port, 10)) return;
  }
  fail(
    `Redis is not reachable at ${host}:${port}.\n` +
      (isLocal(host)
        ? `  Install and start it:  apt-get install -y redis-server && redis-server --daemonize yes --port ${port}\n` +
          `  or with Docker:         docker compose -f infra/compose.yaml up -d redis\n`
        : '') +
      `  or point REDIS_URL (in .env) at a running server.`,
  );
}

export async function ensureServices({ databaseUrl, redisUrl }) {
  await ensurePostgres(databaseUrl);
  await ensureRedis(redisUrl);
}

/** Creates the database named in the URL if it does not exist (needs the `pg` package, installed by then). */
/** Creates the database when missing; returns true when it did. */
export async function ensureDatabase(databaseUrl) {
  const { default: pg } = await import('pg');
  const u = new URL(databaseUrl);
  const name = decodeURIComponent(u.pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (r.rowCount === 0) {
      log(`creating database ${name}`);
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return true;
    }
    return false;
  } catch (err) {
    fail(`could not prepare database ${name}: ${err.message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
