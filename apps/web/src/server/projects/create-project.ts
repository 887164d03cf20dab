import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { assertRoom, type TEntitlements } from '@pocketping/billing';
import {
  countActiveProjects,
  createProject as createProjectRow,
  updateProjectFields,
  withOrganizationLock,
  writeAuditLog,
  type TDb,
  type TAuditOrigin,
} from '@pocketping/db';
import { MAX_ALLOWED_ORIGINS, ZAllowedOrigins, ZSiteUrl, dashboardOrigin } from './origins';
import { loadProjectDto, type TProjectDto } from './project-dto';

export const ZCreateProject = z.object({
  name: z.string().trim().min(1, 'give the site a name').max(80),
  siteUrl: ZSiteUrl,
  /** Defaults to the site URL's origin. */
  allowedOrigins: ZAllowedOrigins.optional(),
  /** Also allow the dashboard's own origin, so the "try it" page can load the widget (default: yes). */
  allowTestPage: z.boolean().default(true),
});
export type TCreateProjectInput = z.input<typeof ZCreateProject>;

/**
 * Creates a project within the plan's project count: counted and created under the organization's row lock, so
 * two creations at once cannot both take the last place. Paused projects (after a downgrade) do not count.
 */
export async function createProject(
  db: TDb,
  ctx: {
    organizationId: string;
    userId: string;
    webPublicUrl: string;
    entitlements: TEntitlements;
    origin: TAuditOrigin;
  },
  input: z.output<typeof ZCreateProject>,
): Promise<TProjectDto> {
  const origins = new Set(input.allowedOrigins ?? [new URL(input.siteUrl).origin]);
  if (input.allowTestPage) origins.add(dashboardOrigin(ctx.webPublicUrl));
  if (origins.size > MAX_ALLOWED_ORIGINS)
    throw new AppError('bad_request', `At most ${MAX_ALLOWED_ORIGINS} allowed origins (the test page counts as one).`);
  const row = await withOrganizationLock(db, ctx.organizationId, async (tx) => {
    assertRoom(ctx.entitlements, 'projects', await countActiveProjects(tx, ctx.organizationId));
    const created = await createProjectRow(tx, ctx.organizationId, {
      name: input.name,
      allowedOrigins: Array.from(origins),
    });
    await updateProjectFields(tx, ctx.organizationId, created.id, { siteUrl: input.siteUrl });
    await writeAuditLog(
      tx,
      ctx.organizationId,
      {
        actorType: 'user',
        actorId: ctx.userId,
        action: 'project.created',
        targetType: 'project',
        targetId: created.id,
      },
      ctx.origin,
    );
    return created;
  });
  const dto = await loadProjectDto(db, ctx.organizationId, row.id);
  if (!dto) throw new AppError('internal', 'Project vanished right after creation.');
  return dto;
}
