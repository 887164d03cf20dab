// @pocketping/node's identity helpers against the server's own checks (apps/realtime verify-identity.ts): what the
// SDK makes on the customer's backend is what the widget's identify() must present.
import { describe, expect, it } from 'vitest';
import { identityHash, identityToken } from '@pocketping/node';
import { isValidIdentityHash, verifyIdentityToken } from '../../apps/realtime/src/widget/verify-identity.js';

const SECRET = 'idsec_test-secret';

describe('identity helpers', () => {
  it('identityHash is accepted by the server for that user id only, and only under that secret', () => {
    const hash = identityHash(SECRET, 'user-42');
    expect(isValidIdentityHash(SECRET, 'user-42', hash)).toBe(true);
    expect(isValidIdentityHash(SECRET, 'user-43', hash)).toBe(false);
    expect(isValidIdentityHash('another', 'user-42', hash)).toBe(false);
  });

  it('identityToken is a token the server verifies with its claims; tampered, expired or foreign ones fail', () => {
    const now = new Date();
    const token = identityToken(
      SECRET,
      { sub: 'user-42', email: 'ada@example.test', name: 'Ada', traits: { plan: 'pro', seats: 3 } },
      { expiresInSeconds: 3600, now },
    );
    const nowSec = Math.floor(now.getTime() / 1000);
    const ok = verifyIdentityToken(SECRET, token, nowSec);
    expect(ok).toMatchObject({
      ok: true,
      claims: { sub: 'user-42', email: 'ada@example.test', name: 'Ada', traits: { plan: 'pro', seats: 3 } },
    });
    expect(verifyIdentityToken('another', token, nowSec)).toMatchObject({ ok: false, reason: 'bad signature' });
    expect(verifyIdentityToken(SECRET, token, nowSec + 3601)).toMatchObject({ ok: false, reason: 'expired' });
    const [h, , sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', exp: nowSec + 60 })).toString('base64url');
    expect(verifyIdentityToken(SECRET, `${h}.${forged}.${sig}`, nowSec).ok).toBe(false);
    expect(() => identityToken(SECRET, { sub: 'u' }, { expiresInSeconds: 32 * 24 * 3600 })).toThrow(RangeError);
  });
});
