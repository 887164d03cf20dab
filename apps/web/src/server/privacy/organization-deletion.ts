import { AppError } from '@pocketping/core';
import {
  cancelOrganizationDeletion,
  getOrganizationName,
  listOwnerEmails,
  requestOrganizationDeletion,
  type TAuditOrigin,
} from '@pocketping/db';
import type { TWebContext } from '../context';
import { disconnect } from '../chat-apps/connections';
import { organizationDeletionMail } from '../mail/templates';

/** Days between an owner's request and the purge; an owner can cancel until then. */
export const ORGANIZATION_DELETION_GRACE_DAYS = 7;

/**
 * An owner deletes the organization: typed name checked, the deletion scheduled in `ORGANIZATION_DELETION_GRACE_DAYS`
 * with every API key and pending invitation revoked in the same transaction, then each chat app disconnected
 * (the platform side undone as a disconnect does, then the row), and every owner mailed with the cancel link. The
 * worker's privacy pass purges everything when the grace ends.
 */
export async function deleteOrganization(
  app: TWebContext,
  input: { organizationId: string; userId: string; confirmName: string; origin: TAuditOrigin; now?: Date },
): Promise<{ scheduledFor: string; chatAppsDisconnected: number; apiKeysRevoked: number }> {
  const name = await getOrganizationName(app.db, input.organizationId);
  if (input.confirmName.trim() !== name)
    throw new AppError('bad_request', 'Type the organization name exactly to confirm.');
  const now = input.now ?? new Date();
  const scheduledFor = new Date(now.getTime() + ORGANIZATION_DELETION_GRACE_DAYS * 86_400_000);
  const done = await requestOrganizationDeletion(app.db, {
    organizationId: input.organizationId,
    userId: input.userId,
    now,
    scheduledFor,
    origin: input.origin,
  });
  if (!done) throw new AppError('conflict', 'A deletion of this organization is already scheduled.');
  let disconnected = 0;
  for (const c of done.connections) {
    try {
      await disconnect(
        app,
        { organizationId: input.organizationId, projectId: c.projectId, userId: input.userId, origin: input.origin },
        c.id,
      );
      disconnected += 1;
    } catch (err) {
      // The purge deletes the row anyway; the platform side may keep a webhook pointing at us, which answers 401/404.
      app.log.warn(
        { tenantId: input.organizationId, connectionId: c.id, err: err instanceof Error ? err.message : String(err) },
        'organization deletion: chat app not disconnected',
      );
    }
  }
  const purgeOn = scheduledFor.toISOString().slice(0, 10);
  const url = `${app.env.WEB_PUBLIC_URL.replace(/\/$/, '')}/app/o/${input.organizationId}/privacy`;
  for (const to of await listOwnerEmails(app.db, input.organizationId)) {
    await app.mailer
      .send(organizationDeletionMail(to, url, name, purgeOn))
      .catch((err: unknown) =>
        app.log.warn(
          { tenantId: input.organizationId, err: err instanceof Error ? err.message : String(err) },
          'organization deletion email not sent',
        ),
      );
  }
  return {
    scheduledFor: scheduledFor.toISOString(),
    chatAppsDisconnected: disconnected,
    apiKeysRevoked: done.apiKeysRevoked,
  };
}

/** An owner cancels the scheduled deletion (chat apps and API keys stay revoked: reconnect and create new ones). */
export async function cancelOrganizationDeletionRequest(
  app: TWebContext,
  input: { organizationId: string; userId: string; origin: TAuditOrigin },
): Promise<void> {
  if (!(await cancelOrganizationDeletion(app.db, input)))
    throw new AppError('not_found', 'No deletion of this organization is scheduled.');
}
