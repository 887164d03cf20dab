import { z } from 'zod';
import type { TDb } from '@pocketping/db';

export const ZCreateOrganization = z.object({ name: z.string().trim().min(1, 'give your organization a name').max(80) });

function slugify(name: string): string {
  const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return base || 'org';
}

/** A new organization with the caller as its owner, in one transaction. */
export async function createOrganization(db: TDb, userId: string, input: z.infer<typeof ZCreateOrganization>) {
  return db.$transaction(async (tx) => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const org = await tx.organization.create({ data: { name: input.name, slug: `${slugify(input.name)}-${suffix}` } });
    await tx.membership.create({ data: { organizationId: org.id, userId, role: 'owner' } });
    await tx.auditLog.create({ data: { organizationId: org.id, actorType: 'user', actorId: userId, action: 'organization.created', targetType: 'organization', targetId: org.id } });
    return { id: org.id, name: org.name, slug: org.slug };
  });
}
