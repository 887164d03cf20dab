import { AppError } from '@pocketping/core';
import { assertRoom, describeLimit, PLANS, type TLimits, type TPlanLimitDetails } from '@pocketping/billing';
import { countActiveChatApps, type TDb } from '@pocketping/db';

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

/** Whether the project can take one more chat app now; `full` carries what the setup page and the refusal say. */
export async function chatAppRoom(
  app: { db: TDb; limits: Pick<TLimits, 'entitlements'> },
  organizationId: string,
  projectId: string,
): Promise<{ full: false } | { full: true; message: string; details: TPlanLimitDetails }> {
  const entitlements = await app.limits.entitlements(organizationId);
  const max = entitlements.limits.chatAppsPerProject;
  if (max === null) return { full: false };
  const used = await countActiveChatApps(app.db, organizationId, projectId);
  if (used < max) return { full: false };
  return {
    full: true,
    message: `Your ${PLANS[entitlements.plan].name} plan allows ${describeLimit('chatAppsPerProject', max)}, and this project has ${used}. Upgrade your plan, or disconnect one first, to connect another.`,
    details: { reason: 'plan_limit', limit: 'chatAppsPerProject', used, max, plan: entitlements.plan },
  };
}

/**
 * Asked when a chat app's setup STARTS (token check, "Add to Slack", the Discord install link), so nobody walks
 * through a platform's consent screens only to be refused at the end; the final connect still checks under the lock.
 */
export async function assertChatAppRoom(
  app: { db: TDb; limits: Pick<TLimits, 'entitlements'> },
  organizationId: string,
  projectId: string,
): Promise<void> {
  const room = await chatAppRoom(app, organizationId, projectId);
  if (room.full) throw new AppError('forbidden', room.message, room.details);
}
