import { PrismaClient, type Prisma } from '@prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';

export type TDb = PrismaClient;
export type TTx = Prisma.TransactionClient;

/** The engine-free Prisma client over node-postgres (the query compiler is WebAssembly; no native engine). */
export function createDb(databaseUrl: string, opts: { poolSize?: number } = {}): TDb {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.poolSize ?? 10 });
  return new PrismaClient({ adapter });
}

/** True when a Prisma error is a unique-constraint violation. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}
