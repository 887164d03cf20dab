import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { createProject as createProjectRow, updateProjectFields, writeAuditLog, type TDb } from '@pocketping/db';
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

export async function createProject(
  db: TDb,
  ctx: { organizationId: string; userId: string; webPublicUrl: string },
  input: z.output<typeof ZCreateProject>,
): Promise<TProjectDto> {
  const origins = new Set(input.allowedOrigins ?? [new URL(input.siteUrl).origin]);
  if (input.allowTestPage) origins.add(dashboardOrigin(ctx.webPublicUrl));
  if (origins.size > MAX_ALLOWED_ORIGINS)
    throw new AppError('bad_request', `At most ${MAX_ALLOWED_ORIGINS} allowed origins (the test page counts as one).`);
  const row = await createProjectRow(db, ctx.organizationId, { name: input.name, allowedOrigins: Array.from(origins) });
  await updateProjectFields(db, ctx.organizationId, row.id, { siteUrl: input.siteUrl });
  await writeAuditLog(db, ctx.organizationId, {
    actorType: 'user',
    actorId: ctx.userId,
    action: 'project.created',
    targetType: 'project',
    targetId: row.id,
  });
  const dto = await loadProjectDto(db, ctx.organizationId, row.id);
  if (!dto) throw new AppError('internal', 'Project vanished right after creation.');
  return dto;
}
