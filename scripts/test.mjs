#!/usr/bin/env node
// `npm test` — installs what is missing, makes sure Postgres and Redis are up, builds what the tests need, runs
// every test (unit, integration against the real Postgres/Redis, end-to-end with real processes and Chromium)
// and ends with the line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, ensureInstalled, fail, log, pnpmBin, run } from './lib/deps.mjs';
import { ensureServices } from './lib/services.mjs';
import { ensureChromium } from './lib/chromium.mjs';

const args = process.argv.slice(2);
ensureInstalled();
await ensureServices({
  databaseUrl: 'postgresql://postgres@127.0.0.1:5432/postgres',
  redisUrl: 'redis://127.0.0.1:6379',
});
ensureChromium();

if (!process.env.SKIP_BUILD) {
  // The web app is built as the production image builds it (standalone output, which `next start` also serves), so
  // tests/e2e/production-start.test.ts can assemble and start the production tree from the same build.
  log('building the widget, the web app and the Node apps (turbo)');
  run(
    pnpmBin('turbo'),
    [
      'run',
      'build',
      '--filter=@pocketping/widget',
      '--filter=@pocketping/web',
      '--filter=@pocketping/realtime',
      '--filter=@pocketping/worker',
      '--filter=@pocketping/cli',
      '--output-logs=errors-only',
    ],
    { env: { ...process.env, NEXT_OUTPUT: 'standalone' } },
  );
}

mkdirSync(path.join(ROOT, 'artifacts'), { recursive: true });
const report = path.join(ROOT, 'artifacts/vitest-report.json');
log('running the tests (vitest)');
const r = spawnSync(
  pnpmBin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
  { cwd: ROOT, stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests ?? 0;
  failed =
    (json.numFailedTests ?? 0) + (json.numFailedTestSuites && !json.numFailedTests ? json.numFailedTestSuites : 0);
} else if (r.status !== 0) {
  failed = 1;
}
if (r.status !== 0 && failed === 0) failed = 1; // a crashed run or a failed suite without counted tests is still a failure
console.log(`${passed} passed, ${failed} failed`);
if (passed === 0 && failed === 0) fail('no test ran');
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
