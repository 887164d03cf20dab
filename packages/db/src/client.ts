import { PrismaClient, type Prisma } from '@prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';

export type TDb = PrismaClient;
export type TTx = Prisma.TransactionClient;
/** Repository functions that may run alone or inside a caller's transaction take this. */
export type TDbOrTx = TDb | TTx;

/**
 * Runs `fn` in one transaction. Callers compose repository functions inside it (passing the `tx` on); the apps
 * never see Prisma's transaction API itself.
 */
export async function inTransaction<T>(db: TDb, fn: (tx: TTx) => Promise<T>): Promise<T> {
  return db.$transaction(fn);
}

/** The engine-free Prisma client over node-postgres (the query compiler is WebAssembly; no native engine). */
export function createDb(databaseUrl: string, opts: { poolSize?: number } = {}): TDb {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.poolSize ?? 10 });
  return new PrismaClient({ adapter });
}

/** True when a Prisma error is a unique-constraint violation. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}
