const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** RFC 4648 §5 base64url without padding. */
export function encodeBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    if (rest === 2) out += ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

export type TRandomFill = (bytes: Uint8Array) => Uint8Array;

const cryptoFill: TRandomFill = (bytes) => crypto.getRandomValues(bytes);

/**
 * Idempotency key of a send: 16 random bytes → 22 URL-safe characters (fits ZClientId: 8–64, [A-Za-z0-9_-]).
 * A retry reuses it, so the server never stores a message twice.
 */
export function createClientId(fill: TRandomFill = cryptoFill): string {
  return encodeBase64Url(fill(new Uint8Array(16)));
}
