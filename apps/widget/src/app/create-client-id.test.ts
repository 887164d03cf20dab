import { describe, expect, it } from 'vitest';
import { ZClientId } from '@pocketping/protocol';
import { createClientId, encodeBase64Url } from './create-client-id.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('encodeBase64Url', () => {
  it('matches the RFC 4648 test vectors, without padding', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']];
    for (const [input, output] of vectors) expect(encodeBase64Url(bytes(input))).toBe(output);
  });

  it('uses the URL-safe alphabet', () => {
    expect(encodeBase64Url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    const all = new Uint8Array(256).map((_, i) => i);
    const viaBtoa = btoa(String.fromCharCode(...all)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(encodeBase64Url(all)).toBe(viaBtoa);
  });
});

describe('createClientId', () => {
  it('produces 22 URL-safe characters that the protocol accepts', () => {
    const id = createClientId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ZClientId.safeParse(id).success).toBe(true);
  });

  it('is random', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => createClientId()));
    expect(ids.size).toBe(1000);
  });

  it('encodes the 16 bytes it is given', () => {
    expect(createClientId((b) => b.fill(0))).toBe('AAAAAAAAAAAAAAAAAAAAAA');
  });
});
