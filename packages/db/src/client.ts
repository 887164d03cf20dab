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

/**
 * Runs `fn` in one transaction whose statements Postgres cancels after `ms` (SET LOCAL: the setting ends with the
 * transaction, the pooled connection keeps its default): a search scanning text cannot hold a connection for long.
 * A cancelled statement throws an error `isStatementTimeout` recognises.
 */
export async function withStatementTimeout<T>(db: TDb, ms: number, fn: (tx: TTx) => Promise<T>): Promise<T> {
  const timeout = Math.max(1, Math.floor(ms));
  return db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${timeout}`);
    return fn(tx);
  });
}

/** True when an error is Postgres cancelling a statement for its statement_timeout (SQLSTATE 57014). */
export function isStatementTimeout(err: unknown): boolean {
  type TAdapterError = { cause?: { code?: unknown } };
  const e = err as { meta?: { driverAdapterError?: TAdapterError } } & TAdapterError;
  // Prisma wraps the driver adapter's error (meta.driverAdapterError); the adapter's own error carries the cause.
  return (e?.meta?.driverAdapterError ?? e)?.cause?.code === '57014';
}

/** The engine-free Prisma client over node-postgres (the query compiler is WebAssembly; no native engine). */
export function createDb(databaseUrl: string, opts: { poolSize?: number } = {}): TDb {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.poolSize ?? 10 });
  return new PrismaClient({ adapter, transactionOptions: DEFAULT_TRANSACTION_OPTIONS });
}

/**
 * Every transaction's bounds unless it sets its own. Prisma's defaults (2 s to get a connection, 5 s to finish) fail
 * a transaction that only had to wait its turn for one of the pool's connections under a burst on a busy machine;
 * these still end a stuck one.
 */
export const DEFAULT_TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

/** True when a Prisma error is a unique-constraint violation. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}
