import { AppError, encryptSecret, randomToken, type TKeyRing } from '@pocketping/core';
import { getProjectRecord, setProjectIdentitySecret, writeAuditLog, type TDb, type TAuditOrigin } from '@pocketping/db';
import { parseProjectSettings } from '@pocketping/protocol';
import { IDENTITY_SECRET_SET_ACTION } from './project-dto';

/**
 * Generates (or rotates) the project's identity-verification secret. The plain value is returned to the caller
 * ONCE, to show it on screen; only its AES-GCM sealed form is stored, and no API ever returns it again.
 */
export async function rotateIdentitySecret(
  db: TDb,
  keyRing: TKeyRing,
  ctx: { organizationId: string; projectId: string; userId: string; origin: TAuditOrigin },
): Promise<{ secret: string; setAt: string }> {
  const secret = randomToken('is_', 32);
  await setProjectIdentitySecret(db, ctx.organizationId, ctx.projectId, encryptSecret(keyRing, secret));
  const at = new Date();
  await writeAuditLog(
    db,
    ctx.organizationId,
    {
      actorType: 'user',
      actorId: ctx.userId,
      action: IDENTITY_SECRET_SET_ACTION,
      targetType: 'project',
      targetId: ctx.projectId,
      createdAt: at,
    },
    ctx.origin,
  );
  return { secret, setAt: at.toISOString() };
}

/** Removes the secret; refused while identity verification is enforced (every visitor would be locked out). */
export async function removeIdentitySecret(
  db: TDb,
  ctx: { organizationId: string; projectId: string; userId: string; origin: TAuditOrigin },
): Promise<void> {
  const p = await getProjectRecord(db, ctx.organizationId, ctx.projectId);
  if (!p) throw new AppError('not_found', 'Project not found.');
  if (parseProjectSettings(p.settings).identity === 'enforce') {
    throw new AppError(
      'conflict',
      'Identity verification is enforced: switch it to optional or off before removing the secret.',
    );
  }
  await setProjectIdentitySecret(db, ctx.organizationId, ctx.projectId, null);
  await writeAuditLog(
    db,
    ctx.organizationId,
    {
      actorType: 'user',
      actorId: ctx.userId,
      action: 'project.identity_secret.removed',
      targetType: 'project',
      targetId: ctx.projectId,
    },
    ctx.origin,
  );
}
