import { z } from 'zod';

/** Error codes a widget ack can carry. Documented in ARCHITECTURE.md. */
export const ZAckErrorCode = z.enum([
  'bad_request', // the payload failed validation; `details` has the field paths
  'unauthorized', // unknown project key or visitor token
  'forbidden', // origin not allowed, or the resource belongs to someone else
  'not_found',
  'payload_too_large',
  'rate_limited',
  'internal',
]);
export type TAckErrorCode = z.infer<typeof ZAckErrorCode>;

export const ZAckError = z.object({
  code: ZAckErrorCode,
  message: z.string(),
  details: z.unknown().optional(),
});
export type TAckError = z.infer<typeof ZAckError>;

export type TAck<T> = ({ ok: true } & T) | { ok: false; error: TAckError };
