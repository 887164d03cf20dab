import { describe, expect, it } from 'vitest';
import { ZClientId } from '@pocketping/protocol';
import { createClientId } from './create-client-id.js';

describe('createClientId', () => {
  it('encodes the 16 random bytes as 32 lowercase hex characters', () => {
    expect(createClientId((b) => b.map((_, i) => i * 17))).toBe('00112233445566778899aabbccddeeff');
    expect(createClientId((b) => b.fill(0))).toBe('0'.repeat(32));
  });

  it('produces ids the protocol accepts', () => {
    const id = createClientId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(ZClientId.safeParse(id).success).toBe(true);
  });

  it('is random', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => createClientId()));
    expect(ids.size).toBe(1000);
  });
});
