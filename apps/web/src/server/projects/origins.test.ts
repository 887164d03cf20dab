import { describe, expect, it } from 'vitest';
import { ZAllowedOrigins, normalizeOrigin } from './origins';

describe('allowed origins', () => {
  it('normalises scheme + host [+ port]', () => {
    expect(normalizeOrigin('HTTPS://Shop.Example.com/')).toEqual({ ok: true, origin: 'https://shop.example.com' });
    expect(normalizeOrigin('https://example.com:443')).toEqual({ ok: true, origin: 'https://example.com' });
    expect(normalizeOrigin('http://localhost:3000')).toEqual({ ok: true, origin: 'http://localhost:3000' });
    expect(normalizeOrigin('https://*.example.com')).toEqual({ ok: true, origin: 'https://*.example.com' });
    expect(normalizeOrigin('https://*.example.com:8443')).toEqual({ ok: true, origin: 'https://*.example.com:8443' });
  });

  it('refuses paths, queries, credentials, other schemes, bare * and misplaced wildcards', () => {
    for (const bad of [
      'https://example.com/shop',
      'https://example.com/?a=1',
      'https://example.com#x',
      'https://u:p@example.com',
      'ftp://example.com',
      'example.com',
      '*',
      'https://shop.*.com',
      'javascript:alert(1)',
      '',
      'https://*.com',
    ]) {
      expect(normalizeOrigin(bad).ok, bad).toBe(false);
    }
  });

  it('dedupes and caps the list at 20, naming the bad entry', () => {
    expect(ZAllowedOrigins.parse(['https://a.test', 'https://A.test/', 'https://b.test'])).toEqual([
      'https://a.test',
      'https://b.test',
    ]);
    expect(ZAllowedOrigins.safeParse(Array.from({ length: 21 }, (_, i) => `https://s${i}.test`)).success).toBe(false);
    expect(ZAllowedOrigins.safeParse([]).success).toBe(false);
    const r = ZAllowedOrigins.safeParse(['https://ok.test', 'https://ok.test/path']);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual([1]);
    expect(r.error!.issues[0]!.message).toContain('/path');
  });
});
