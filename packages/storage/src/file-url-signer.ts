import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TKeyRing } from '@pocketping/core';

/** What a file URL grants: one attachment, of one conversation, of one tenant, until `expiresAt`. */
export interface TFileClaims {
  organizationId: string;
  conversationId: string;
  attachmentId: string;
  /** Unix seconds. */
  expiresAt: number;
}

export type TVerifyResult =
  { ok: true; claims: TFileClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export interface TFileUrlSigner {
  /** A token for `/widget/files/<token>`. */
  sign(claims: Omit<TFileClaims, 'expiresAt'>, nowMs?: number): string;
  /** The absolute URL of that token under `baseUrl`. */
  url(claims: Omit<TFileClaims, 'expiresAt'>, nowMs?: number): string;
  verify(token: string, nowMs?: number): TVerifyResult;
}

const CONTEXT = 'pocketping/file-url/v1';
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * HMAC-SHA256 signed, expiring file URLs. The signing keys are derived from the ENCRYPTION_KEY ring (one purpose-
 * bound key per ring entry), so no extra secret has to be configured, and rotating the ring rotates them: the
 * token names its key id, the newest key signs, every key in the ring verifies.
 */
export function createFileUrlSigner(ring: TKeyRing, opts: { baseUrl: string; ttlSeconds: number }): TFileUrlSigner {
  const keys = new Map<string, Buffer>();
  for (const [id, key] of ring.keys) keys.set(id, createHmac('sha256', key).update(CONTEXT).digest());
  const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest();
  const base = opts.baseUrl.replace(/\/+$/, '');

  const sign: TFileUrlSigner['sign'] = (claims, nowMs = Date.now()) => {
    const exp = Math.floor(nowMs / 1000) + opts.ttlSeconds;
    const payload = Buffer.from(
      JSON.stringify({
        k: ring.currentId,
        o: claims.organizationId,
        c: claims.conversationId,
        a: claims.attachmentId,
        e: exp,
      }),
    ).toString('base64url');
    return `${payload}.${mac(keys.get(ring.currentId)!, payload).toString('base64url')}`;
  };

  return {
    sign,
    url: (claims, nowMs) => `${base}/widget/files/${sign(claims, nowMs)}`,
    verify(token, nowMs = Date.now()) {
      if (token.length > 1000) return { ok: false, reason: 'malformed' };
      const [payload, sig, extra] = token.split('.');
      if (!payload || !sig || extra !== undefined) return { ok: false, reason: 'malformed' };
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      const p = parsed as { k?: unknown; o?: unknown; c?: unknown; a?: unknown; e?: unknown };
      if (
        typeof p.k !== 'string' ||
        typeof p.o !== 'string' ||
        typeof p.c !== 'string' ||
        typeof p.a !== 'string' ||
        typeof p.e !== 'number'
      )
        return { ok: false, reason: 'malformed' };
      if (![p.o, p.c, p.a].every((v) => ID.test(v))) return { ok: false, reason: 'malformed' };
      const key = keys.get(p.k);
      const given = Buffer.from(sig, 'base64url');
      const expected = key ? mac(key, payload) : Buffer.alloc(32);
      // Constant time; an unknown key id still costs one comparison.
      if (!key || given.length !== expected.length || !timingSafeEqual(given, expected))
        return { ok: false, reason: 'bad_signature' };
      if (p.e * 1000 <= nowMs) return { ok: false, reason: 'expired' };
      return { ok: true, claims: { organizationId: p.o, conversationId: p.c, attachmentId: p.a, expiresAt: p.e } };
    },
  };
}
