/**
 * Redis Cluster puts a key in one of 16384 slots by the CRC16 of its hash tag — the part between the first `{` and
 * the next `}` — or of the whole key without one. A MULTI, a Lua script or an MGET may only touch keys of one slot, so
 * keys used together carry the same tag: the one thing they are about (a pair, an organization, a visitor).
 * REDIS_PREFIX never holds braces (env-fields.ts), so the tag is always the one given here.
 */
export function hashTag(id: string): string {
  // Braces inside would end the tag early; the same id still gives the same slot, but keep it whole and readable.
  return `{${id.replace(/[{}]/g, '_')}}`;
}

/** The slot Redis Cluster gives a key (CRC16-CCITT/XMODEM of the hash tag, mod 16384): for tests and diagnostics. */
export function clusterSlot(key: string): number {
  const open = key.indexOf('{');
  let hashed = key;
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) hashed = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(hashed, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
