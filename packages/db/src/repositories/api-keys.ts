import { randomToken, sha256 } from '@pocketping/core';
import type { TDb, TDbOrTx } from '../client.js';

export interface TApiKeyPublic {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  scopes: TApiScope[];
  /** The one project the key may see; null: every project of the organization. */
  projectId: string | null;
}

export const API_SCOPES = ['read', 'write'] as const;
export type TApiScope = (typeof API_SCOPES)[number];

/** Scopes as stored (null on rows older than scopes: read + write), keeping only known ones. */
function toScopes(stored: readonly string[] | null): TApiScope[] {
  if (!stored) return ['read', 'write'];
  return API_SCOPES.filter((s) => stored.includes(s));
}

/** How often a key's lastUsedAt is written at most: one UPDATE per key and minute, not one per request. */
export const API_KEY_LAST_USED_RESOLUTION_MS = 60_000;

/** Creates an API key. The plain key is returned once; only its SHA-256 is stored. */
export async function createApiKey(
  db: TDb,
  organizationId: string,
  input: { name: string; createdById?: string | null; scopes?: readonly TApiScope[]; projectId?: string | null },
): Promise<{ key: string; apiKey: TApiKeyPublic }> {
  const key = randomToken('ppk_', 30);
  const row = await db.apiKey.create({
    data: {
      organizationId,
      name: input.name,
      prefix: key.slice(0, 12),
      hash: sha256(key),
      createdById: input.createdById ?? null,
      scopes: [...(input.scopes ?? API_SCOPES)],
      projectId: input.projectId ?? null,
    },
  });
  return {
    key,
    apiKey: {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: null,
      revokedAt: null,
      scopes: toScopes(row.scopes),
      projectId: row.projectId,
    },
  };
}

export interface TResolvedApiKey {
  organizationId: string;
  apiKeyId: string;
  scopes: TApiScope[];
  projectId: string | null;
}

/**
 * Resolves an API key to its organization, scopes and project restriction (the REST wrapper's tenant lookup), read
 * from the database on every call — nothing cached, so a revoked key stops at its next request. Revoked keys resolve
 * to nothing. lastUsedAt moves at most once a minute per key (one conditional UPDATE, skipped inside the minute).
 */
export async function resolveApiKey(db: TDb, key: string, now = new Date()): Promise<TResolvedApiKey | null> {
  if (!key.startsWith('ppk_') || key.length > 100) return null;
  const row = await db.apiKey.findUnique({ where: { hash: sha256(key) } });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= API_KEY_LAST_USED_RESOLUTION_MS) {
    const before = new Date(now.getTime() - API_KEY_LAST_USED_RESOLUTION_MS);
    await db.apiKey.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: before } }] },
      data: { lastUsedAt: now },
    });
  }
  return {
    organizationId: row.organizationId,
    apiKeyId: row.id,
    scopes: toScopes(row.scopes),
    projectId: row.projectId,
  };
}

function toPublic(row: {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  scopes: string[] | null;
  projectId: string | null;
}): TApiKeyPublic {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    scopes: toScopes(row.scopes),
    projectId: row.projectId,
  };
}

/** The organization's API keys, newest first (prefix only — the key itself is never stored). */
export async function listApiKeys(db: TDb, organizationId: string): Promise<TApiKeyPublic[]> {
  const rows = await db.apiKey.findMany({ where: { organizationId }, orderBy: { createdAt: 'desc' } });
  return rows.map(toPublic);
}

/** Revokes a key of this organization (idempotent). Null when the organization has no such key. */
export async function revokeApiKey(db: TDb, organizationId: string, apiKeyId: string): Promise<TApiKeyPublic | null> {
  const row = await db.apiKey.findUnique({ where: { organizationId_id: { organizationId, id: apiKeyId } } });
  if (!row) return null;
  if (row.revokedAt) return toPublic(row);
  const updated = await db.apiKey.update({
    where: { organizationId_id: { organizationId, id: apiKeyId } },
    data: { revokedAt: new Date() },
  });
  return toPublic(updated);
}

/** The member who created this key, while they are still a member (`assignee=me` of the REST API); else null. */
export async function getApiKeyMemberId(db: TDbOrTx, organizationId: string, apiKeyId: string): Promise<string | null> {
  const row = await db.apiKey.findFirst({ where: { organizationId, id: apiKeyId }, select: { createdById: true } });
  if (!row?.createdById) return null;
  const member = await db.membership.findUnique({
    where: { organizationId_userId: { organizationId, userId: row.createdById } },
    select: { userId: true },
  });
  return member?.userId ?? null;
}

/** Who created each key of the organization (null for keys made by the CLI or a deleted user). */
export async function listApiKeyCreatorIds(
  db: TDbOrTx,
  organizationId: string,
): Promise<{ id: string; createdById: string | null }[]> {
  return db.apiKey.findMany({ where: { organizationId }, select: { id: true, createdById: true } });
}

/** How many active keys each creator has in the organization. */
export async function countActiveApiKeysByCreator(
  db: TDbOrTx,
  organizationId: string,
): Promise<Map<string | null, number>> {
  const rows = await db.apiKey.groupBy({
    by: ['createdById'],
    where: { organizationId, revokedAt: null },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.createdById, r._count._all]));
}

/** The active keys a user created in the organization, oldest first. */
export async function listActiveApiKeysCreatedBy(
  db: TDbOrTx,
  organizationId: string,
  userId: string,
): Promise<{ id: string; name: string; prefix: string }[]> {
  return db.apiKey.findMany({
    where: { organizationId, createdById: userId, revokedAt: null },
    select: { id: true, name: true, prefix: true },
    orderBy: { createdAt: 'asc' },
  });
}
