// Property-based tests of the signed tokens a client hands back to us: the dashboard's realtime token, the widget's
// file URL token and the OAuth install state. Whatever string arrives, verification never throws and grants
// nothing; a real token verifies, and the same token with any one character changed does not.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateEncryptionKey, parseKeyRing } from '@pocketping/core';
import { signDashboardToken, verifyDashboardToken } from '@pocketping/jobs';
import { createFileUrlSigner } from '@pocketping/storage';
import { fc, fuzzParams, hostileString, oversizeString } from '@pocketping/testkit/fuzz';
import { signState, verifyState } from './signed-state';

const SECRET = 'auth-secret-for-the-signed-token-fuzz-0123456789';
const NOW = 1_800_000_000_000;

/** A string that might pass for a token: hostile text, or dots and base64url in token-like shapes. */
const tokenish = fc.oneof(
  hostileString(300),
  oversizeString([1_025, 5_000]),
  fc
    .tuple(fc.base64String({ maxLength: 200 }), fc.base64String({ maxLength: 60 }))
    .map(([a, b]) => `${a.replace(/=+$/, '')}.${b.replace(/=+$/, '')}`),
);

/** `token` with the character at `i` replaced by another one of the same alphabet. */
function tamper(token: string, i: number, c: string): string | null {
  const at = i % token.length;
  if (token[at] === c) return null;
  return token.slice(0, at) + c + token.slice(at + 1);
}
const alphabet = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'.split(''));

describe('signed tokens under hostile input', () => {
  it('dashboard realtime token: garbage is refused, a valid token verifies, any one-character change is refused', () => {
    const { token } = signDashboardToken(SECRET, { userId: 'user_1', organizationId: 'org_1' }, { nowMs: NOW });
    expect(verifyDashboardToken(SECRET, token, NOW)).toMatchObject({ userId: 'user_1', organizationId: 'org_1' });
    fc.assert(
      fc.property(tokenish, fc.nat(), alphabet, (garbage, i, c) => {
        expect(verifyDashboardToken(SECRET, garbage, NOW)).toBeNull();
        const forged = tamper(token, i, c);
        // base64url's last character may carry unused bits: a change there can decode to the same bytes.
        if (
          forged !== null &&
          Buffer.from(forged.split('.')[1] ?? '', 'base64url').toString('base64url') !== token.split('.')[1]
        ) {
          expect(verifyDashboardToken(SECRET, forged, NOW)).toBeNull();
        }
      }),
      fuzzParams(300),
    );
  });

  it('widget file URL token: garbage is refused, a valid token verifies, a changed one is refused', () => {
    const signer = createFileUrlSigner(parseKeyRing(generateEncryptionKey()), {
      baseUrl: 'http://rt.test',
      ttlSeconds: 60,
    });
    const token = signer.sign({ organizationId: 'org_1', conversationId: 'conv_1', attachmentId: 'att_1' }, NOW);
    expect(signer.verify(token, NOW).ok).toBe(true);
    fc.assert(
      fc.property(tokenish, fc.nat(), alphabet, (garbage, i, c) => {
        expect(signer.verify(garbage, NOW).ok).toBe(false);
        const forged = tamper(token, i, c);
        if (forged === null) return;
        const r = signer.verify(forged, NOW);
        // Only a change the decoder cannot see (unused trailing bits) may still verify, and then to the same claims.
        const original = signer.verify(token, NOW);
        if (r.ok && original.ok) expect(r.claims).toEqual(original.claims);
      }),
      fuzzParams(300),
    );
  });

  it('OAuth install state: garbage and another purpose are refused, a changed state is refused', () => {
    const schema = z.object({ o: z.string() });
    const state = signState(SECRET, 'slack-install', { o: 'org_1' }, 600, NOW);
    expect(verifyState(SECRET, 'slack-install', state, schema, NOW)).toMatchObject({ o: 'org_1' });
    expect(verifyState(SECRET, 'discord-install', state, schema, NOW)).toBeNull();
    fc.assert(
      fc.property(tokenish, fc.nat(), alphabet, (garbage, i, c) => {
        expect(verifyState(SECRET, 'slack-install', garbage, schema, NOW)).toBeNull();
        const forged = tamper(state, i, c);
        if (forged === null) return;
        const r = verifyState(SECRET, 'slack-install', forged, schema, NOW);
        if (r !== null) expect(r).toMatchObject({ o: 'org_1' });
      }),
      fuzzParams(300),
    );
  });
});
