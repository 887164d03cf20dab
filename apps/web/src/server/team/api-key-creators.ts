import {
  listApiKeyCreatorIds,
  listApiKeys,
  listMemberUserIds,
  listUsersByIds,
  type TApiKeyPublic,
  type TDb,
} from '@pocketping/db';

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
  const rows = await listApiKeyCreatorIds(db, organizationId);
  const creatorOf = new Map(rows.map((r) => [r.id, r.createdById]));
  const userIds = [...new Set(rows.map((r) => r.createdById).filter((id): id is string => id !== null))];
  const [users, members] = await Promise.all([
    listUsersByIds(db, userIds),
    listMemberUserIds(db, organizationId, userIds),
  ]);
  const memberIds = new Set(members);
  const userById = new Map(users.map((u) => [u.id, u]));
  return keys.map((k) => {
    const user = userById.get(creatorOf.get(k.id) ?? '');
    return { ...k, createdBy: user ? { name: user.name, email: user.email, isMember: memberIds.has(user.id) } : null };
  });
}
