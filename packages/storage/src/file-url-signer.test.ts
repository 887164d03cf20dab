import { describe, expect, it } from 'vitest';
import { generateEncryptionKey, parseKeyRing } from '@pocketping/core';
import { createFileUrlSigner } from './file-url-signer.js';

const claims = { organizationId: 'org_1', conversationId: 'conv_1', attachmentId: 'att_1' };

describe('createFileUrlSigner', () => {
  const k1 = generateEncryptionKey('k1');
  const signer = createFileUrlSigner(parseKeyRing(k1), { baseUrl: 'https://rt.example.com/', ttlSeconds: 60 });

  it('round-trips claims and builds the URL under the base', () => {
    const now = Date.now();
    const url = signer.url(claims, now);
    expect(url.startsWith('https://rt.example.com/widget/files/')).toBe(true);
    const r = signer.verify(url.split('/').pop()!, now);
    expect(r).toEqual({ ok: true, claims: { ...claims, expiresAt: Math.floor(now / 1000) + 60 } });
  });

  it('expires after the TTL', () => {
    const now = Date.now();
    const token = signer.sign(claims, now);
    expect(signer.verify(token, now + 59_000).ok).toBe(true);
    expect(signer.verify(token, now + 61_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token whose claims were changed (another conversation or attachment)', () => {
    const token = signer.sign(claims);
    const [payload, sig] = token.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    for (const change of [{ c: 'conv_2' }, { a: 'att_2' }, { o: 'org_2' }, { e: 9_999_999_999 }]) {
      const forged = Buffer.from(JSON.stringify({ ...decoded, ...change })).toString('base64url');
      expect(signer.verify(`${forged}.${sig}`)).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });

  it('refuses garbage', () => {
    for (const t of [
      '',
      'abc',
      'a.b.c',
      'eyJ9.x',
      `${Buffer.from('{"k":1}').toString('base64url')}.x`,
      'x'.repeat(2000),
    ]) {
      expect(signer.verify(t).ok).toBe(false);
    }
  });

  it("keeps verifying after a key rotation, and another deployment's keys verify nothing", () => {
    const token = signer.sign(claims);
    const rotated = createFileUrlSigner(parseKeyRing(`${generateEncryptionKey('k2')},${k1}`), {
      baseUrl: 'https://rt.example.com',
      ttlSeconds: 60,
    });
    expect(rotated.verify(token).ok).toBe(true);
    expect(rotated.sign(claims).startsWith(Buffer.from('{"k":"k2"').toString('base64url').slice(0, 8))).toBe(true);
    const other = createFileUrlSigner(parseKeyRing(generateEncryptionKey('k1')), {
      baseUrl: 'https://rt.example.com',
      ttlSeconds: 60,
    });
    expect(other.verify(token)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
