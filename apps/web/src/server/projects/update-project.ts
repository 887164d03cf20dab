import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { getProjectRecord, updateProjectFields, writeAuditLog, type TDb, type TAuditOrigin } from '@pocketping/db';
import { ZProjectSettingsPatch, parseProjectSettings } from '@pocketping/protocol';
import { ZAllowedOrigins, ZSiteUrl } from './origins';
import { loadProjectDto, type TProjectDto } from './project-dto';

export const ZUpdateProject = z
  .object({
    name: z.string().trim().min(1).max(80),
    siteUrl: ZSiteUrl.nullable(),
    allowedOrigins: ZAllowedOrigins,
    /** Merged into the stored settings, key by key. */
    settings: ZProjectSettingsPatch,
    /** Days conversations are kept (1–3650), at most the plan's; null = the plan's figure. */
    retentionDays: z.number().int().min(1).max(3650).nullable(),
  })
  .partial()
  .strict();

/**
 * Applies a settings PATCH (admin). Validation is the protocol's strict schema; the merge keeps untouched keys. A
 * retention longer than the plan keeps (`planRetentionDays`, null = forever) is refused naming the plan's figure.
 */
export async function updateProject(
  db: TDb,
  ctx: {
    organizationId: string;
    userId: string;
    projectId: string;
    planRetentionDays?: number | null;
    origin: TAuditOrigin;
  },
  input: z.output<typeof ZUpdateProject>,
): Promise<TProjectDto> {
  const current = await getProjectRecord(db, ctx.organizationId, ctx.projectId);
  if (!current) throw new AppError('not_found', 'Project not found.');
  const data: Parameters<typeof updateProjectFields>[3] = {};
  if (input.retentionDays !== undefined) {
    const max = ctx.planRetentionDays ?? null;
    if (input.retentionDays !== null && max !== null && input.retentionDays > max)
      throw new AppError('bad_request', `Your plan keeps conversations ${max} days at most.`, {
        issues: [{ path: 'retentionDays', message: `at most ${max} days on your plan` }],
      });
    data.retentionDays = input.retentionDays;
  }
  if (input.name !== undefined) data.name = input.name;
  if (input.siteUrl !== undefined) data.siteUrl = input.siteUrl;
  if (input.allowedOrigins !== undefined) data.allowedOrigins = input.allowedOrigins;
  if (input.settings !== undefined) {
    const merged = { ...parseProjectSettings(current.settings), ...input.settings };
    if (merged.identity === 'enforce' && current.identitySecret === null) {
      throw new AppError('conflict', 'Generate an identity secret before enforcing identity verification.', {
        issues: [{ path: 'settings.identity', message: 'needs an identity secret' }],
      });
    }
    data.settings = merged;
  }
  await updateProjectFields(db, ctx.organizationId, ctx.projectId, data);
  await writeAuditLog(
    db,
    ctx.organizationId,
    {
      actorType: 'user',
      actorId: ctx.userId,
      action: 'project.updated',
      targetType: 'project',
      targetId: ctx.projectId,
      metadata: { fields: Object.keys(input), settings: Object.keys(input.settings ?? {}) },
    },
    ctx.origin,
  );
  const dto = await loadProjectDto(db, ctx.organizationId, ctx.projectId);
  if (!dto) throw new AppError('not_found', 'Project not found.');
  return dto;
}
