#!/usr/bin/env node
// Assembles the production tree the image ships (infra/Dockerfile runs this; tests/e2e/production-start.test.ts runs
// it too and starts the apps from the result, so the image's layout is tested without a container engine):
//
//   <out>/web/apps/web/server.js        Next.js standalone server (+ its traced node_modules, static files, public/)
//   <out>/apps/realtime/dist/index.js   realtime bundle + production-only node_modules
//   <out>/apps/worker/dist/index.js     worker bundle + production-only node_modules
//   <out>/apps/cli/dist/index.js        CLI bundle (`migrate`, `doctor`, …) + production-only node_modules
//   <out>/apps/widget/dist/             the widget bundles realtime serves
//   <out>/prisma/migrations/            what `migrate` applies and /ready compares with the database
//
// Run after the builds: pnpm install --frozen-lockfile, then
//   NEXT_OUTPUT=standalone pnpm exec turbo run build --filter=@pocketping/web --filter=@pocketping/widget \
//     --filter=@pocketping/realtime --filter=@pocketping/worker --filter=@pocketping/cli
//   node scripts/assemble-production.mjs <out> [--next-dist <dir>]   (the web build's distDir, default .next)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, fail, log } from './lib/deps.mjs';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'next-dist': { type: 'string', default: '.next' } },
});
const out = path.resolve(positionals[0] ?? path.join(ROOT, 'out/production'));
const webDir = path.join(ROOT, 'apps/web');
const nextDist = path.join(webDir, values['next-dist']);

function need(p, hint) {
  if (!existsSync(p)) fail(`${path.relative(ROOT, p)} is missing: ${hint}`);
}
need(path.join(nextDist, 'standalone/apps/web/server.js'), 'build the web app with NEXT_OUTPUT=standalone');
for (const app of ['realtime', 'worker', 'cli']) {
  need(path.join(ROOT, 'apps', app, 'dist/index.js'), `run pnpm --filter @pocketping/${app} build`);
}
need(path.join(ROOT, 'apps/widget/dist/loader.js'), 'run pnpm --filter @pocketping/widget build');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// The Prisma client generated at install time (engine-free client + WebAssembly query compiler): a production-only
// install does not run `prisma generate` (the CLI is a dev dependency), so the generated files are copied next to
// every installed @prisma/client.
const pnpmStore = (dir) => path.join(dir, 'node_modules/.pnpm');
const prismaClients = (dir) =>
  existsSync(pnpmStore(dir))
    ? readdirSync(pnpmStore(dir))
        .filter((d) => d.startsWith('@prisma+client@'))
        .map((d) => path.join(pnpmStore(dir), d, 'node_modules'))
    : [];
const generated = prismaClients(ROOT)
  .map((d) => path.join(d, '.prisma'))
  .find((d) => existsSync(path.join(d, 'client/default.js')));
if (!generated) fail('no generated Prisma client: run pnpm install (its postinstall runs prisma generate)');

for (const app of ['realtime', 'worker', 'cli']) {
  const target = path.join(out, 'apps', app);
  log(`production dependencies of @pocketping/${app}`);
  const r = spawnSync(
    'pnpm',
    ['--filter', `@pocketping/${app}`, 'deploy', '--prod', '--legacy', '--ignore-scripts', '--prefer-offline', target],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  if (r.status !== 0) fail(`pnpm deploy @pocketping/${app} failed:\n${r.stdout}\n${r.stderr}`);
  rmSync(path.join(target, 'src'), { recursive: true, force: true });
  cpSync(path.join(ROOT, 'apps', app, 'dist'), path.join(target, 'dist'), { recursive: true });
  for (const client of prismaClients(target)) cpSync(generated, path.join(client, '.prisma'), { recursive: true });
}

log('web (Next.js standalone)');
cpSync(path.join(nextDist, 'standalone'), path.join(out, 'web'), { recursive: true, verbatimSymlinks: true });
// Next's file tracing follows the Prisma client's requires but not the WebAssembly it opens by path.
for (const client of prismaClients(path.join(out, 'web')))
  cpSync(generated, path.join(client, '.prisma'), { recursive: true });
cpSync(path.join(nextDist, 'static'), path.join(out, 'web/apps/web', values['next-dist'], 'static'), {
  recursive: true,
});
if (existsSync(path.join(webDir, 'public'))) {
  cpSync(path.join(webDir, 'public'), path.join(out, 'web/apps/web/public'), { recursive: true });
}
cpSync(path.join(ROOT, 'apps/widget/dist'), path.join(out, 'apps/widget/dist'), { recursive: true });
cpSync(path.join(ROOT, 'prisma/migrations'), path.join(out, 'prisma/migrations'), { recursive: true });
log(`production tree ready: ${path.relative(process.cwd(), out) || out}`);
