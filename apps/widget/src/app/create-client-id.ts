export type TRandomFill = (bytes: Uint8Array) => Uint8Array;

const cryptoFill: TRandomFill = (bytes) => crypto.getRandomValues(bytes);

/**
 * Idempotency key of a send: 16 random bytes as 32 hex characters (fits ZClientId: 8–64, [A-Za-z0-9_-]). A retry
 * reuses it, so the server never stores a message twice. Hex rather than base64url: a few bytes less of app.js.
 */
export function createClientId(fill: TRandomFill = cryptoFill): string {
  return Array.from(fill(new Uint8Array(16)), (b) => (b | 256).toString(16).slice(1)).join('');
}
