// What the controller sends, shaped the way the server's schemas accept it (the widget ships no zod).
import type { TIdentifyInput } from '../../shared/app-contract.js';
import { isEmail } from '../../shared/is-email.js';
import { LIMITS } from '../../transport/protocol.js';

export type TScalars = Record<string, string | number | boolean | null>;

/** The body as the server will store it (ZMessageBody): CRLF → LF, trimmed; null when too long. */
export function normalizeBody(text: string): string | null {
  const body = text.replace(/\r\n/g, '\n').trim();
  return body.length > LIMITS.messageBodyMax ? null : body;
}

/** Scalar values with short keys (what ZIdentify.traits and ZCustomEvent.data accept); null when none. */
export function scalars(input: Record<string, unknown> | undefined): TScalars | null {
  const out: TScalars = {};
  let n = 0;
  for (const [key, v] of Object.entries(input ?? {})) {
    const ok = typeof v === 'string' || typeof v === 'boolean' || v === null || (typeof v === 'number' && isFinite(v));
    if (ok && key.length <= 64 && n++ < 50) out[key] = typeof v === 'string' ? v.slice(0, 500) : v;
  }
  return n ? out : null;
}

/** `identify()` input → the ZIdentify payload (invalid optional fields are left out); null without an id. */
export function toIdentifyPayload(identity: TIdentifyInput): Record<string, unknown> | null {
  const { id, email, name, hash, token, ...rest } = identity ?? ({} as TIdentifyInput);
  const userId = typeof id === 'number' ? String(id) : id;
  if (typeof userId !== 'string' || !userId || userId.length > 200) return null;
  const traits = scalars(rest);
  return {
    id: userId,
    ...(typeof email === 'string' && isEmail(email) ? { email } : {}),
    ...(typeof name === 'string' && name.trim() ? { name: name.trim().slice(0, 120) } : {}),
    ...(typeof hash === 'string' && /^[0-9a-f]{64}$/i.test(hash) ? { hash } : {}),
    ...(typeof token === 'string' && token.length <= 8192 && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token) ? { token } : {}),
    ...(traits ? { traits } : {}),
  };
}
