// Builds the widget into dist/: loader.js (what the snippet loads); app.js and app-{fr,de,es}.js (the chat, one
// build per language, fetched on demand by the loader from beside itself); lang-{en,fr,de,es}.js (texts, fetched
// when the project's language differs from the one guessed) and extras.js (forms and upload, fetched on first use). Prints raw and
// gzipped sizes and fails when a budget is exceeded (see size-report.mjs for how they are measured), when a
// server-only dependency (zod, via the protocol package's schemas) slipped into a browser bundle, or when a
// bundle contains eval/new Function.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUDGETS, formatReport, kb, measureWidget } from './size-report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');

/** Inputs that must never reach the browser. */
const FORBIDDEN_INPUTS = [/node_modules\/(\.pnpm\/)?zod[@/]/, /packages\/protocol\/src\/(?!index\.ts$)/];

const common = {
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
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

/**
 * extras.js must use the app's Preact, not a second copy (hooks state lives in the Preact module): its `preact`
 * imports become reads of the object app.js publishes on window (src/app/index.ts, src/extras/contract.ts).
 */
const sharedPreact = {
  name: 'shared-preact',
  setup(b) {
    b.onResolve({ filter: /^preact(\/jsx-runtime)?$/ }, (args) => ({ path: args.path, namespace: 'shared-preact' }));
    b.onLoad({ filter: /.*/, namespace: 'shared-preact' }, () => ({
      contents: 'const p = window.__pocketpingPreact; export const { Fragment, h, options, jsx, jsxs } = p;',
      loader: 'js',
    }));
  },
};

/** app-xx.js: the same app with the xx texts built in instead of English (see src/ui/built-in-strings.ts). */
const builtInStrings = (language) => ({
  name: `built-in-${language}`,
  setup(b) {
    b.onResolve({ filter: /built-in-strings\.js$/ }, () => ({ path: language, namespace: 'built-in-strings' }));
    b.onLoad({ filter: /.*/, namespace: 'built-in-strings' }, () => ({
      contents: `import { ${language.toUpperCase()} as strings } from './src/lang/${language}.ts'; export const BUILT_IN = { language: '${language}', strings };`,
      resolveDir: here,
      loader: 'ts',
    }));
  },
});

const app = await build({
  ...common,
  entryPoints: {
    app: 'src/app/index.ts',
    'lang-en': 'src/lang/pack-en.ts',
    'lang-fr': 'src/lang/pack-fr.ts',
    'lang-de': 'src/lang/pack-de.ts',
    'lang-es': 'src/lang/pack-es.ts',
  },
  outdir: dist,
});
const variants = [];
for (const language of ['fr', 'de', 'es']) {
  variants.push(
    await build({
      ...common,
      entryPoints: { [`app-${language}`]: 'src/app/index.ts' },
      outdir: dist,
      plugins: [builtInStrings(language)],
    }),
  );
}
const extras = await build({
  ...common,
  entryPoints: { extras: 'src/extras/index.ts' },
  outdir: dist,
  plugins: [sharedPreact],
});
// One version for every lazily loaded file: the loader asks for all of them with the same cache-buster.
const LAZY = [
  'app.js',
  'app-fr.js',
  'app-de.js',
  'app-es.js',
  'lang-en.js',
  'lang-fr.js',
  'lang-de.js',
  'lang-es.js',
  'extras.js',
];
const hash = createHash('sha256');
for (const name of LAZY) hash.update(await readFile(join(dist, name)));
const appVersion = hash.digest('hex').slice(0, 12);

const loader = await build({
  ...common,
  entryPoints: { loader: 'src/loader.ts' },
  outdir: dist,
  define: { __POCKETPING_APP_VERSION__: JSON.stringify(appVersion) },
});

const problems = [];
for (const [name, result] of [
  ['app.js + lang-*.js', app],
  ...variants.map((v, i) => [`app variant ${i}`, v]),
  ['extras.js', extras],
  ['loader.js', loader],
]) {
  for (const input of Object.keys(result.metafile.inputs)) {
    if (FORBIDDEN_INPUTS.some((re) => re.test(input))) problems.push(`${name} bundles ${input}`);
  }
}

for (const name of ['loader.js', ...LAZY]) {
  const text = await readFile(join(dist, name), 'utf8');
  if (/\bzod\b|ZodError|\$ZodType/.test(text)) problems.push(`${name} contains zod code`);
  if (/\beval\(|new Function\(/.test(text)) problems.push(`${name} uses eval/new Function, which a strict CSP blocks`);
}
const report = await measureWidget(dist);
if (report.pageView.gzip > BUDGETS.pageView)
  problems.push(`every page view costs ${kb(report.pageView.gzip)} gzipped, over its ${kb(BUDGETS.pageView)} budget`);
if (report.afterOpening.gzip > BUDGETS.afterOpening)
  problems.push(
    `the opened widget costs ${kb(report.afterOpening.gzip)} gzipped, over its ${kb(BUDGETS.afterOpening)} budget`,
  );
if (/preact\/dist\/preact/.test(Object.keys(extras.metafile.inputs).join(' ')))
  problems.push('extras.js bundles its own Preact');
if (/preact\/hooks/.test(Object.keys(app.metafile.inputs).join(' ')))
  problems.push('app.js bundles preact/hooks (see src/ui/widget.tsx)');

process.stdout.write(`widget build (app version ${appVersion})\n${formatReport(report)}\n`);
if (problems.length > 0) {
  process.stderr.write(`widget build failed:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
