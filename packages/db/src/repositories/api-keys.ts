import { randomToken, sha256 } from '@pocketping/core';
import type { TDb } from '../client.js';

export interface TApiKeyPublic { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }

/** Creates an API key. The plain key is returned once; only its SHA-256 is stored. */
export async function createApiKey(
  db: TDb,
  organizationId: string,
  input: { name: string; createdById?: string | null },
): Promise<{ key: string; apiKey: TApiKeyPublic }> {
  const key = randomToken('ppk_', 30);
  const row = await db.apiKey.create({
    data: { organizationId, name: input.name, prefix: key.slice(0, 12), hash: sha256(key), createdById: input.createdById ?? null },
  });
  return {
    key,
    apiKey: { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt.toISOString(), lastUsedAt: null, revokedAt: null },
  };
}

/** Resolves an API key to its organization (the REST wrapper's tenant lookup). Revoked keys resolve to nothing. */
export async function resolveApiKey(db: TDb, key: string): Promise<{ organizationId: string; apiKeyId: string } | null> {
  if (!key.startsWith('ppk_') || key.length > 100) return null;
  const row = await db.apiKey.findUnique({ where: { hash: sha256(key) } });
  if (!row || row.revokedAt) return null;
  await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return { organizationId: row.organizationId, apiKeyId: row.id };
}
