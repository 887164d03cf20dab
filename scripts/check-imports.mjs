#!/usr/bin/env node
// Import rules no habit keeps by itself, checked on every `pnpm lint`:
// - no import circles between source files (type-only imports count: a circle of types is a circle of concepts);
// - apps/web climbs at most three `../` inside its own source: deeper imports use the `~/` alias;
// - apps never import another app; packages never import an app; bridges never import the database;
// - apps/web never asks with `window.confirm(`: confirmations use the shared dialog (components/confirm-dialog.tsx).
// Static `import … from` / `export … from` / `import()` with relative or workspace specifiers are followed.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = new Set(['node_modules', 'dist', '.next', '.turbo', 'generated']);
const isTest = (f) => /\.test\.tsx?$/.test(f) || f.includes(`${path.sep}testing${path.sep}`);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.next')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const files = [];
for (const top of ['apps', 'packages']) {
  for (const pkg of readdirSync(path.join(ROOT, top))) {
    const src = path.join(ROOT, top, pkg, 'src');
    if (existsSync(src)) walk(src, files);
  }
}
const known = new Set(files);

/** Workspace package name → its src/index.ts (packages export their TypeScript source). */
const workspace = new Map();
for (const pkg of readdirSync(path.join(ROOT, 'packages'))) {
  const pj = path.join(ROOT, 'packages', pkg, 'package.json');
  if (existsSync(pj))
    workspace.set(JSON.parse(readFileSync(pj, 'utf8')).name, path.join(ROOT, 'packages', pkg, 'src/index.ts'));
}

const SPEC =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function resolve(from, spec) {
  if (workspace.has(spec)) return workspace.get(spec);
  if (spec.startsWith('~/')) {
    const appSrc = from.slice(0, from.indexOf(`${path.sep}src${path.sep}`) + 4);
    spec = path.relative(path.dirname(from), path.join(appSrc, spec.slice(2)));
    if (!spec.startsWith('.')) spec = `./${spec}`;
  }
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec.replace(/\.(m?js)$/, ''));
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    if (known.has(c)) return c;
  }
  return null;
}

const area = (f) => {
  const rel = path.relative(ROOT, f).split(path.sep);
  return { top: rel[0], name: rel[1] };
};

const problems = [];
const graph = new Map();
for (const f of files) {
  const text = readFileSync(f, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const deps = [];
  const a0 = area(f);
  if (a0.top === 'apps' && a0.name === 'web' && /\bwindow\.confirm\s*\(/.test(text))
    problems.push(`${path.relative(ROOT, f)}: window.confirm( — use useConfirm() from ~/components/confirm-dialog`);
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1] ?? m[2];
    const target = resolve(f, spec);
    const a = area(f);
    if (a.top === 'apps' && a.name === 'web' && /^(\.\.\/){4,}/.test(spec) && target && area(target).name === 'web')
      problems.push(
        `${path.relative(ROOT, f)}: climbs four or more ../ inside apps/web; import '~/…' instead (${spec})`,
      );
    if (!isTest(f)) {
      if (spec.includes('/apps/') || (target && area(target).top === 'apps' && area(target).name !== a.name)) {
        problems.push(`${path.relative(ROOT, f)}: imports another app (${spec})`);
      }
      if (a.top === 'packages' && target && area(target).top === 'apps')
        problems.push(`${path.relative(ROOT, f)}: a package imports an app (${spec})`);
      if (a.top === 'packages' && a.name === 'bridges' && (spec === '@pocketping/db' || spec.startsWith('@prisma/'))) {
        problems.push(`${path.relative(ROOT, f)}: bridges never touch the database (${spec})`);
      }
    }
    if (target && !isTest(f) && !isTest(target)) deps.push(target);
  }
  graph.set(f, deps);
}

// Circles: Tarjan's strongly connected components over the non-test graph.
let index = 0;
const stack = [];
const state = new Map();
const components = [];
function strongConnect(v) {
  state.set(v, { index, low: index, onStack: true });
  index += 1;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!state.has(w)) {
      strongConnect(w);
      state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
    } else if (state.get(w).onStack) {
      state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
    }
  }
  if (state.get(v).low === state.get(v).index) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1) components.push(comp);
  }
}
for (const v of graph.keys()) if (!state.has(v)) strongConnect(v);
for (const comp of components)
  problems.push(
    `import circle: ${comp
      .map((f) => path.relative(ROOT, f))
      .sort()
      .join(' ↔ ')}`,
  );

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`check-imports: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} files, no circles, layers respected`);
