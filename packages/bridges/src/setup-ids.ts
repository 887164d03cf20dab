import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** The id of a half-finished setup, handed to the page (which sends it back with each step). */
export const newSetupId = (): string => randomBytes(18).toString('base64url');

export const ZSetupId = z
  .string()
  .min(10)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'not a setup id');

/** Readable one-time code: no 0/O/1/I so it survives being typed from a phone. */
export function newLinkCode(length = 8): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
