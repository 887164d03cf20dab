import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fail, log } from './deps.mjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Browser tests drive Debian's Chromium (a downloaded browser build is not reachable here). */
export function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0) {
    log('installing Chromium for the browser tests (apt-get install -y chromium)');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status === 0 && existsSync(CHROMIUM_PATH)) return;
  }
  fail(
    `Chromium is needed for the browser tests and was not found at ${CHROMIUM_PATH}.\n  Install it: sudo apt-get install -y chromium   (or set CHROMIUM_PATH)`,
  );
}
