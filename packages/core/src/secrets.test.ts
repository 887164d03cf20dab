import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, generateEncryptionKey, parseKeyRing, secretKeyId } from './secrets.js';

describe('secrets at rest (AES-256-GCM key ring)', () => {
  it('round-trips and never stores the plaintext', () => {
    const ring = parseKeyRing(generateEncryptionKey('k1'));
    const sealed = encryptSecret(ring, '123456:bot-token-value');
    expect(sealed).not.toContain('bot-token-value');
    expect(sealed.startsWith('v1:k1:')).toBe(true);
    expect(decryptSecret(ring, sealed)).toBe('123456:bot-token-value');
    // A fresh IV each time: the same secret never seals to the same text.
    expect(encryptSecret(ring, 'same')).not.toBe(encryptSecret(ring, 'same'));
  });

  it('rotates: a new first key encrypts, the old one still decrypts', () => {
    const oldKey = generateEncryptionKey('k1');
    const sealedOld = encryptSecret(parseKeyRing(oldKey), 'old secret');
    const rotated = parseKeyRing(`${generateEncryptionKey('k2')},${oldKey}`);
    expect(decryptSecret(rotated, sealedOld)).toBe('old secret');
    const sealedNew = encryptSecret(rotated, 'new secret');
    expect(secretKeyId(sealedNew)).toBe('k2');
    expect(() => decryptSecret(parseKeyRing(oldKey), sealedNew)).toThrow(/k2/);
  });

  it('detects tampering', () => {
    const ring = parseKeyRing(generateEncryptionKey());
    const parts = encryptSecret(ring, 'payload').split(':');
    const data = Buffer.from(parts[4]!, 'base64url');
    data[0] = data[0]! ^ 1;
    parts[4] = data.toString('base64url');
    expect(() => decryptSecret(ring, parts.join(':'))).toThrow();
  });

  it('refuses malformed key rings with a message naming the problem', () => {
    expect(() => parseKeyRing('')).toThrow(/empty/);
    expect(() => parseKeyRing('k1:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parseKeyRing('nokey')).toThrow(/<id>:<base64 key>/);
  });
});
