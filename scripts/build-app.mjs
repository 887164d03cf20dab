#!/usr/bin/env node
// Production build of a Node app (realtime, worker, cli): one ESM file, apps/<app>/dist/index.js, run by plain
// `node` — no TypeScript loader at runtime.
//
// The workspace packages (`@pocketping/*`) export their TypeScript source, so they are compiled into the bundle.
// Third-party packages stay external and are loaded from node_modules at runtime, as published: several read their
// own files from disk (the Prisma client's generated code and WebAssembly, pdfjs-dist, BullMQ's scripts). Each of
// them must therefore be a direct dependency of the app, or a production install (`pnpm install --prod`) would not
// link it where the bundle looks: the build fails and names any that is missing.
//
// Usage: node scripts/build-app.mjs <app dir>   (from the app's `build` script: node ../../scripts/build-app.mjs .)
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const appDir = path.resolve(process.argv[2] ?? '.');
const pkg = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8'));
const direct = new Set(Object.keys(pkg.dependencies ?? {}));
const builtins = new Set(builtinModules);

/** 'a/b' → 'a', '@s/a/b' → '@s/a' */
const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

const missing = new Map();
const externals = {
  name: 'third-party-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || builtins.has(packageName(args.path))) return { external: true };
      const name = packageName(args.path);
      if (name.startsWith('@pocketping/')) return undefined; // workspace source: compile it in
      if (!direct.has(name)) {
        const importers = missing.get(name) ?? new Set();
        importers.add(path.relative(process.cwd(), args.importer));
        missing.set(name, importers);
      }
      return { external: true };
    });
  },
};

const outdir = path.join(appDir, 'dist');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [path.join(appDir, 'src/index.ts')],
  outfile: path.join(outdir, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [externals],
  define: { 'process.env.POCKETPING_BUNDLED': '"1"' },
});

if (missing.size > 0) {
  console.error(
    `${pkg.name}: these packages are imported but are not dependencies of the app (add them to ${path.relative(process.cwd(), path.join(appDir, 'package.json'))}):`,
  );
  for (const [name, importers] of missing) console.error(`  ${name}  ← ${[...importers].slice(0, 3).join(', ')}`);
  process.exit(1);
}
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `${pkg.name}: ${path.relative(process.cwd(), path.join(outdir, 'index.js'))} (${(bytes / 1024).toFixed(0)} KiB with its source map)`,
);
