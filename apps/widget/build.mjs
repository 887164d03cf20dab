// Builds the widget into dist/: loader.js (what the snippet loads) and app.js (the chat, fetched on demand by
// the loader from beside itself). Prints raw and gzipped sizes and fails when a budget is exceeded or when a
// server-only dependency (zod, via the protocol package's schemas) slipped into a browser bundle.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');

/** Gzipped byte budgets: the loader is on every page of every customer, the app only for chatting visitors. */
const BUDGETS = { 'loader.js': 4 * 1024, 'app.js': 30 * 1024 };
/** Inputs that must never reach the browser. */
const FORBIDDEN_INPUTS = [/node_modules\/(\.pnpm\/)?zod[@/]/, /packages\/protocol\/src\/(?!index\.ts$)/];

const common = {
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2018',
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  sourcemap: 'linked',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: here,
  tsconfig: join(here, 'tsconfig.json'),
};

await rm(dist, { recursive: true, force: true });

const app = await build({ ...common, entryPoints: { app: 'src/app/index.ts' }, outdir: dist });
const appVersion = createHash('sha256').update(await readFile(join(dist, 'app.js'))).digest('hex').slice(0, 12);

const loader = await build({
  ...common,
  entryPoints: { loader: 'src/loader.ts' },
  outdir: dist,
  define: { __POCKETPING_APP_VERSION__: JSON.stringify(appVersion) },
});

const problems = [];
for (const [name, result] of [['app.js', app], ['loader.js', loader]]) {
  for (const input of Object.keys(result.metafile.inputs)) {
    if (FORBIDDEN_INPUTS.some((re) => re.test(input))) problems.push(`${name} bundles ${input}`);
  }
}

const rows = [];
for (const name of ['loader.js', 'app.js']) {
  const code = await readFile(join(dist, name));
  const gzip = gzipSync(code, { level: 9 }).length;
  rows.push(`  ${relative(here, join(dist, name)).padEnd(16)} ${kb(code.length).padStart(9)}   gzip ${kb(gzip).padStart(8)}   budget ${kb(BUDGETS[name])}`);
  if (gzip > BUDGETS[name]) problems.push(`${name} is ${kb(gzip)} gzipped, over its ${kb(BUDGETS[name])} budget`);
  const text = code.toString('utf8');
  if (/\bzod\b|ZodError|\$ZodType/.test(text)) problems.push(`${name} contains zod code`);
  if (/\beval\(|new Function\(/.test(text)) problems.push(`${name} uses eval/new Function, which a strict CSP blocks`);
}

process.stdout.write(`widget build (app version ${appVersion})\n${rows.join('\n')}\n`);
if (problems.length > 0) {
  process.stderr.write(`widget build failed:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(2)} kB`;
}
