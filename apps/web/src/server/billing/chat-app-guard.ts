import { assertRoom, type TLimits } from '@pocketping/billing';

/**
 * The plan's check for connecting one more chat app to a project, for `createConnection`'s `withinLimit` (which
 * counts under the organization's lock). Replacing an existing connection's credentials is not a new chat app.
 */
export async function chatAppGuard(
  limits: Pick<TLimits, 'entitlements'>,
  organizationId: string,
): Promise<(activeInProject: number) => void> {
  const entitlements = await limits.entitlements(organizationId);
  return (activeInProject) => assertRoom(entitlements, 'chatAppsPerProject', activeInProject);
}
