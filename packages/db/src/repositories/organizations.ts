import type { Role } from '@prisma/client';
import type { TDb, TDbOrTx } from '../client.js';
import { writeAuditLog, type TAuditOrigin } from './audit.js';

export interface TOrganization {
  id: string;
  name: string;
  slug: string;
}

function slugify(name: string): string {
  const base = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return base || 'org';
}

/** Creates a user (or reuses the one with this email), an organization and the owner membership. */
export async function createOrganizationWithOwner(
  db: TDb,
  input: { email: string; orgName: string; userName?: string; role?: Role },
): Promise<{ organization: TOrganization; userId: string }> {
  return db.$transaction(async (tx) => {
    const user = await tx.user.upsert({
      where: { email: input.email.toLowerCase() },
      create: { email: input.email.toLowerCase(), name: input.userName ?? null },
      update: {},
    });
    const suffix = Math.random().toString(36).slice(2, 8);
    const org = await tx.organization.create({
      data: { name: input.orgName, slug: `${slugify(input.orgName)}-${suffix}` },
    });
    await tx.membership.create({ data: { organizationId: org.id, userId: user.id, role: input.role ?? 'owner' } });
    return { organization: { id: org.id, name: org.name, slug: org.slug }, userId: user.id };
  });
}

export async function getOrganization(db: TDb, organizationId: string): Promise<TOrganization | null> {
  const org = await db.organization.findUnique({ where: { id: organizationId } });
  return org ? { id: org.id, name: org.name, slug: org.slug } : null;
}

/** A new organization with the user as its owner and the audit entry, in one transaction. */
export async function createOrganizationOwnedBy(
  db: TDb,
  userId: string,
  name: string,
  origin: TAuditOrigin,
): Promise<TOrganization> {
  return db.$transaction(async (tx) => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const org = await tx.organization.create({ data: { name, slug: `${slugify(name)}-${suffix}` } });
    await tx.membership.create({ data: { organizationId: org.id, userId, role: 'owner' } });
    await writeAuditLog(
      tx,
      org.id,
      {
        actorType: 'user',
        actorId: userId,
        action: 'organization.created',
        targetType: 'organization',
        targetId: org.id,
      },
      origin,
    );
    return { id: org.id, name: org.name, slug: org.slug };
  });
}

export async function getOrganizationName(db: TDbOrTx, organizationId: string): Promise<string> {
  const org = await db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { name: true } });
  return org.name;
}

/** Answers when the database does (the health check). */
export async function pingDatabase(db: TDb): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
