import { listApiKeys, type TApiKeyPublic, type TDb } from '@pocketping/db';

/**
 * Who created each key, and whether they are still on the team. The rule for a member who leaves: their keys keep
 * working — a key belongs to the organization, and an integration must not break because a person left — so the
 * list says whose keys are orphaned and an admin decides whether to revoke them.
 */
export interface TApiKeyWithCreator extends TApiKeyPublic {
  createdBy: { name: string | null; email: string; isMember: boolean } | null;
}

export async function listApiKeysWithCreators(db: TDb, organizationId: string): Promise<TApiKeyWithCreator[]> {
  const keys = await listApiKeys(db, organizationId);
  const rows = await db.apiKey.findMany({ where: { organizationId }, select: { id: true, createdById: true } });
  const creatorOf = new Map(rows.map((r) => [r.id, r.createdById]));
  const userIds = [...new Set(rows.map((r) => r.createdById).filter((id): id is string => id !== null))];
  const [users, members] = await Promise.all([
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, email: true } }),
    db.membership.findMany({ where: { organizationId, userId: { in: userIds } }, select: { userId: true } }),
  ]);
  const memberIds = new Set(members.map((m) => m.userId));
  const userById = new Map(users.map((u) => [u.id, u]));
  return keys.map((k) => {
    const user = userById.get(creatorOf.get(k.id) ?? '');
    return { ...k, createdBy: user ? { name: user.name, email: user.email, isMember: memberIds.has(user.id) } : null };
  });
}
