import { randomBytes } from 'node:crypto';

/**
 * THE id generator for rows the code inserts itself (raw SQL, or where the id must be known before the insert).
 * Same shape as the ids Prisma makes for the schema's `@default(cuid())`, so both kinds of id sort and validate alike.
 */
const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const ID_RANDOM = 24;
/** Random bytes for 256 ids at a time: one getrandom call instead of one per delivery (a hot-path cost). */
let idPool = Buffer.alloc(0);
let idPoolAt = 0;

/** A cuid-shaped id (25 chars, starts with a letter) for rows inserted by raw SQL; random, never sequential. */
export function newId(): string {
  if (idPoolAt + ID_RANDOM > idPool.length) {
    idPool = randomBytes(ID_RANDOM * 256);
    idPoolAt = 0;
  }
  let s = 'c';
  for (let i = idPoolAt; i < idPoolAt + ID_RANDOM; i += 1) s += ID_ALPHABET[(idPool[i] as number) % 36];
  idPoolAt += ID_RANDOM;
  return s;
}
