import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySlackSignature } from './verify-signature.js';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&api_app_id=A0KRD7HC3&event_id=Ev1';
const now = 1_531_420_618_000;
const ts = String(now / 1000);
/** Computed independently of the code under test, the way Slack's docs describe it. */
const sign = (s: string, t: string, b: string) => `v0=${createHmac('sha256', s).update(`v0:${t}:${b}`).digest('hex')}`;

describe('verifySlackSignature', () => {
  it('accepts a request signed with the signing secret', () => {
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: ts,
        signatureHeader: sign(secret, ts, body),
        rawBody: body,
        nowMs: now,
      }),
    ).toEqual({ ok: true });
  });

  it('accepts a timestamp up to 5 minutes off either way, and refuses a stale or future one', () => {
    const old = String(now / 1000 - 299);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: old,
        signatureHeader: sign(secret, old, body),
        rawBody: body,
        nowMs: now,
      }).ok,
    ).toBe(true);
    const stale = String(now / 1000 - 301);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: stale,
        signatureHeader: sign(secret, stale, body),
        rawBody: body,
        nowMs: now,
      }),
    ).toEqual({ ok: false, reason: 'stale_timestamp' });
    const future = String(now / 1000 + 301);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: future,
        signatureHeader: sign(secret, future, body),
        rawBody: body,
        nowMs: now,
      }),
    ).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('refuses a signature made with another secret', () => {
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: ts,
        signatureHeader: sign('another-secret', ts, body),
        rawBody: body,
        nowMs: now,
      }),
    ).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a tampered body or a tampered timestamp', () => {
    const sig = sign(secret, ts, body);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: ts,
        signatureHeader: sig,
        rawBody: `${body} `,
        nowMs: now,
      }).ok,
    ).toBe(false);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: String(Number(ts) + 1),
        signatureHeader: sig,
        rawBody: body,
        nowMs: now,
      }).ok,
    ).toBe(false);
  });

  it('refuses missing or malformed headers', () => {
    const sig = sign(secret, ts, body);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: null,
        signatureHeader: sig,
        rawBody: body,
        nowMs: now,
      }),
    ).toEqual({ ok: false, reason: 'missing_headers' });
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: ts,
        signatureHeader: null,
        rawBody: body,
        nowMs: now,
      }),
    ).toEqual({ ok: false, reason: 'missing_headers' });
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: 'soon',
        signatureHeader: sig,
        rawBody: body,
        nowMs: now,
      }).ok,
    ).toBe(false);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: ts,
        signatureHeader: sig.replace('v0=', 'v1='),
        rawBody: body,
        nowMs: now,
      }).ok,
    ).toBe(false);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestampHeader: ts,
        signatureHeader: sig.slice(0, -2),
        rawBody: body,
        nowMs: now,
      }).ok,
    ).toBe(false);
  });
});
