import { z } from 'zod';
import { createOrganizationOwnedBy, type TAuditOrigin, type TDb } from '@pocketping/db';

export const ZCreateOrganization = z.object({
  name: z.string().trim().min(1, 'give your organization a name').max(80),
});

/** A new organization with the caller as its owner, in one transaction. */
export async function createOrganization(
  db: TDb,
  userId: string,
  input: z.infer<typeof ZCreateOrganization>,
  origin: TAuditOrigin,
) {
  return createOrganizationOwnedBy(db, userId, input.name, origin);
}
