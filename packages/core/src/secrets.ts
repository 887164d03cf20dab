import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from './app-error.js';

// AES-256-GCM with a key ring for rotation. ENCRYPTION_KEY = "<id>:<base64 32 bytes>[,<id>:<base64>…]":
// the first key encrypts; every key listed can decrypt. Ciphertext format: "v1:<keyId>:<iv>:<tag>:<data>".

export interface TKeyRing {
  readonly currentId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export function parseKeyRing(spec: string): TKeyRing {
  const keys = new Map<string, Buffer>();
  let currentId: string | undefined;
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const idx = part.indexOf(':');
    if (idx <= 0) throw new Error('ENCRYPTION_KEY entries must look like "<id>:<base64 key>"');
    const id = part.slice(0, idx);
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error(`ENCRYPTION_KEY key id "${id}" is invalid`);
    const key = Buffer.from(part.slice(idx + 1), 'base64');
    if (key.length !== 32) throw new Error(`ENCRYPTION_KEY key "${id}" must be 32 bytes (base64), got ${key.length}`);
    keys.set(id, key);
    currentId ??= id;
  }
  if (!currentId) throw new Error('ENCRYPTION_KEY is empty');
  return { currentId, keys };
}

export function isValidKeyRing(spec: string): boolean {
  try {
    parseKeyRing(spec);
    return true;
  } catch {
    return false;
  }
}

export function encryptSecret(ring: TKeyRing, plaintext: string): string {
  const key = ring.keys.get(ring.currentId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ['v1', ring.currentId, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join(
    ':',
  );
}

export function decryptSecret(ring: TKeyRing, sealed: string): string {
  const [version, keyId, iv, tag, data] = sealed.split(':');
  if (version !== 'v1' || !keyId || !iv || !tag || data === undefined) {
    throw new AppError('internal', 'Stored secret has an unknown format');
  }
  const key = ring.keys.get(keyId);
  if (!key) throw new AppError('internal', `Stored secret uses key "${keyId}", which ENCRYPTION_KEY does not hold`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

/** The key id a sealed secret was encrypted with (for rotation reports). */
export function secretKeyId(sealed: string): string | undefined {
  return sealed.split(':')[1];
}

export function generateEncryptionKey(id = 'k1'): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
