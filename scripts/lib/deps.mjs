// Installs what the repo needs on a fresh machine: pnpm (through npm, from the npm registry) and the workspace.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const PNPM_VERSION = '10.34.9';

export function log(msg) {
  console.log(`\x1b[36m[pocketping]\x1b[0m ${msg}`);
}

export function fail(msg) {
  console.error(`\x1b[31m[pocketping]\x1b[0m ${msg}`);
  process.exit(1);
}

function has(cmd, args = ['--version']) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.status !== 0) fail(`\`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal}).`);
}

export function ensureNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19))
    fail(`Node.js >= 20.19 is required (this is ${process.versions.node}).`);
}

export function ensurePnpm() {
  if (has('pnpm')) return;
  log(`installing pnpm ${PNPM_VERSION} (npm install -g pnpm@${PNPM_VERSION})`);
  const r = spawnSync('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`], { stdio: 'inherit' });
  if (r.status !== 0 || !has('pnpm'))
    fail(`could not install pnpm; run \`npm install -g pnpm@${PNPM_VERSION}\` yourself and retry.`);
}

/** `pnpm install --frozen-lockfile` when node_modules is missing or older than the lockfile. */
export function ensureInstalled({ force = false } = {}) {
  ensureNode();
  ensurePnpm();
  const marker = path.join(ROOT, 'node_modules/.modules.yaml');
  const lock = path.join(ROOT, 'pnpm-lock.yaml');
  const stale = !existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs;
  if (force || stale) {
    log('installing dependencies (pnpm install --frozen-lockfile)');
    run('pnpm', ['install', '--frozen-lockfile']);
  }
}

export function pnpmBin(name) {
  return path.join(ROOT, 'node_modules/.bin', name);
}

export function sh(cmd) {
  return execSync(cmd, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
}
