import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_TOKEN_MAX_TTL_SECONDS, signDashboardToken, verifyDashboardToken } from './dashboard-token.js';

const SECRET = 'a-test-auth-secret-that-is-long-enough-0123';

describe('dashboard realtime token', () => {
  it('round-trips user, organization and a short expiry', () => {
    const now = Date.UTC(2026, 0, 1);
    const { token, expiresAt } = signDashboardToken(SECRET, { userId: 'u1', organizationId: 'o1' }, { nowMs: now });
    expect(expiresAt - now / 1000).toBe(120);
    expect(verifyDashboardToken(SECRET, token, now + 1000)).toEqual({
      userId: 'u1',
      organizationId: 'o1',
      exp: expiresAt,
    });
  });

  it('refuses another secret, a changed payload, an expired token, garbage and non-strings', () => {
    const now = Date.now();
    const { token } = signDashboardToken(SECRET, { userId: 'u1', organizationId: 'o1' }, { nowMs: now });
    expect(verifyDashboardToken('another-secret-0123456789abcdefghijklmnop', token, now)).toBeNull();
    const [, sig] = token.split('.');
    const swapped = Buffer.from(JSON.stringify({ u: 'u1', o: 'o2', exp: Math.floor(now / 1000) + 60 })).toString(
      'base64url',
    );
    expect(verifyDashboardToken(SECRET, `${swapped}.${sig}`, now)).toBeNull();
    expect(verifyDashboardToken(SECRET, token, now + 121_000)).toBeNull();
    for (const bad of ['', '.', 'a.b.c', 'abc', `${token}x`, 42, null, undefined, { token }])
      expect(verifyDashboardToken(SECRET, bad, now)).toBeNull();
  });

  it('caps the lifetime: a validly signed token claiming a far expiry is refused', () => {
    const now = Date.now();
    expect(
      signDashboardToken(SECRET, { userId: 'u', organizationId: 'o' }, { nowMs: now, ttlSeconds: 3600 }).expiresAt,
    ).toBe(Math.floor(now / 1000) + DASHBOARD_TOKEN_MAX_TTL_SECONDS);
    // Forge what a signer without the cap would produce (same key derivation as the module).
    const key = createHmac('sha256', SECRET).update('pocketping/dashboard-realtime-token/v1').digest();
    const payload = Buffer.from(JSON.stringify({ u: 'u', o: 'o', exp: Math.floor(now / 1000) + 3600 })).toString(
      'base64url',
    );
    const sig = createHmac('sha256', key).update(payload).digest('base64url');
    expect(verifyDashboardToken(SECRET, `${payload}.${sig}`, now)).toBeNull();
  });
});
