import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';
import { API_CSP, STATIC_SECURITY_HEADERS } from './src/server/security-headers';

const monorepoRoot = fileURLToPath(new URL('../..', import.meta.url));

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // Lets several builds of the same checkout coexist (parallel test runs); `next start` must get the same value.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  // CI type-checks every package (`pnpm typecheck`) before `npm test` builds: it sets NEXT_SKIP_TYPECHECK=1 so the
  // build does not run the same check a second time. Every other build checks types.
  typescript: { ignoreBuildErrors: process.env.NEXT_SKIP_TYPECHECK === '1' },
  // The production image runs the self-contained server Next.js traces (.next/standalone: only the files and
  // node_modules the server needs); `next start` (npm start, the tests) keeps using the regular build.
  ...(process.env.NEXT_OUTPUT === 'standalone' ? { output: 'standalone' as const } : {}),
  // Answers the proxy does not see (requests with a body skip it, see src/proxy.ts) still carry the headers that do
  // not depend on the environment; the proxy sets the same ones, and the page CSP, on everything else.
  async headers() {
    const list = (h: Record<string, string>) => Object.entries(h).map(([key, value]) => ({ key, value }));
    return [
      { source: '/:path*', headers: list(STATIC_SECURITY_HEADERS) },
      { source: '/api/:path*', headers: list({ 'Content-Security-Policy': API_CSP }) },
    ];
  },
  // Workspace packages export their TypeScript source (create-t3-turbo style); Next compiles them with the app.
  transpilePackages: [
    '@pocketping/core',
    '@pocketping/db',
    '@pocketping/jobs',
    '@pocketping/protocol',
    '@pocketping/bridges',
    '@pocketping/storage',
    '@pocketping/inbound',
    '@pocketping/conversations',
    '@pocketping/ai',
    '@pocketping/billing',
    '@pocketping/knowledge',
    '@pocketping/markdown',
  ],
  // Loaded by Node at runtime instead of bundled: the Prisma client reads its generated files and WebAssembly query
  // compiler from disk, and the others are Node-only libraries with dynamic requires.
  serverExternalPackages: [
    'pdfjs-dist',
    '@prisma/client',
    '@prisma/adapter-pg',
    'pg',
    'bullmq',
    'ioredis',
    'pino',
    'grammy',
    'discord.js',
  ],
  outputFileTracingRoot: monorepoRoot,
  turbopack: { root: monorepoRoot },
  webpack(config: { resolve: { extensionAlias?: Record<string, string[]> } }) {
    // Workspace sources import './x.js' for './x.ts' (TypeScript's ESM convention); let webpack find the .ts file.
    config.resolve.extensionAlias = {
      ...config.resolve.extensionAlias,
      '.js': ['.ts', '.tsx', '.js'],
      '.mjs': ['.mts', '.mjs'],
    };
    return config;
  },
};

export default nextConfig;
