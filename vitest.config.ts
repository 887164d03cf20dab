import { defineConfig } from 'vitest/config';

// Two projects: fast unit/integration tests run in parallel; end-to-end tests (real processes, Chromium) run one
// file at a time because each boots a whole stack on a 2-core machine.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['apps/**/src/**/*.test.ts', 'packages/**/src/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/.next/**', '**/.next-*/**', '**/dist/**'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          pool: 'forks',
          // next-auth's ESM imports 'next/server' without an extension, which Node alone cannot resolve: let Vite
          // resolve it, so tests can drive Auth.js's own handlers in-process.
          server: { deps: { inline: ['next-auth'] } },
        },
      },
      {
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
