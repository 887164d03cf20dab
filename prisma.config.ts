// Prisma CLI configuration: the WebAssembly schema engine over the pg driver adapter, so migrate/generate work
// without Prisma's native engine download (unreachable here). See docs/prisma.md.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

const DEFAULT_URL = 'postgresql://postgres@127.0.0.1:5432/pocketping';
// The schema's datasource reads DATABASE_URL even for `generate`; without it the CLI misreads the generator and
// tries to download a native engine. A local default keeps `prisma generate` working on a fresh clone.
process.env.DATABASE_URL ??= DEFAULT_URL;

/** Discrete fields, not a connection string: the shadow-database code overrides `database`, and a string would win. */
function pgConfigFromUrl(raw: string) {
  const url = new URL(raw);
  return {
    host: decodeURIComponent(url.hostname),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username || 'postgres'),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.replace(/^\//, '') || 'postgres'),
  };
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  async adapter() {
    return new PrismaPg(pgConfigFromUrl(process.env.DATABASE_URL ?? DEFAULT_URL));
  },
});
