import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Two projects: fast unit/integration tests run in parallel; end-to-end tests (real processes, Chromium) run one
// file at a time, after them, because each boots a whole stack on a 2-core machine.
// Vitest's default (one worker per core minus one) would run the unit project one file at a time on a 2-core
// machine; its files mostly wait on Postgres, Redis and sockets, so two workers keep both cores busy (three overran
// test timeouts on a loaded machine).
const unitWorkers = Math.max(2, availableParallelism() - 1);
// apps/web's `~/…` import alias (its tsconfig paths), so tests can load its route modules as Next does.
const resolve = { alias: [{ find: /^~\//, replacement: fileURLToPath(new URL('./apps/web/src/', import.meta.url)) }] };

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        // apps/web's tsconfig keeps JSX for Next.js ("preserve"): tests that render a component compile it here.
        oxc: { jsx: { runtime: 'automatic' } },
        test: {
          name: 'unit',
          include: ['apps/**/src/**/*.test.ts', 'packages/**/src/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/.next/**', '**/.next-*/**', '**/dist/**'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          pool: 'forks',
          maxWorkers: unitWorkers,
          // next-auth's ESM imports 'next/server' without an extension, which Node alone cannot resolve: let Vite
          // resolve it, so tests can drive Auth.js's own handlers in-process.
          server: { deps: { inline: ['next-auth'] } },
        },
      },
      {
        resolve,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
});
