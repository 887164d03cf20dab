// GET/PATCH/DELETE /api/app/orgs/:orgId/projects/:projectId — read (agent), change settings (admin), delete (owner)
import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { deleteProject, writeAuditLog } from '@pocketping/db';
import { deleteStoredFiles } from '@pocketping/storage';
import { orgRoute, scopedProject } from '~/server/tenancy';
import { loadProjectDto } from '~/server/projects/project-dto';
import { ZUpdateProject, updateProject } from '~/server/projects/update-project';

const ZParams = z.object({ orgId: z.string().min(1).max(64), projectId: z.string().min(1).max(64) });

export const GET = orgRoute({ role: 'agent', params: ZParams }, async ({ app, organizationId, params }) => {
  const project = await loadProjectDto(app.db, organizationId, params.projectId);
  if (!project) throw new AppError('not_found', 'Project not found.');
  return { project };
});

export const PATCH = orgRoute(
  { role: 'admin', params: ZParams, body: ZUpdateProject },
  async ({ app, origin, organizationId, user, params, body }) => {
    const planRetentionDays =
      body.retentionDays === undefined
        ? undefined
        : (await app.limits.entitlements(organizationId)).limits.retentionDays;
    const project = await updateProject(
      app.db,
      { organizationId, userId: user.id, origin, projectId: params.projectId, planRetentionDays },
      body,
    );
    return { project };
  },
);

export const DELETE = orgRoute(
  { role: 'owner', params: ZParams, body: z.object({ confirmName: z.string().max(200) }) },
  async ({ app, origin, organizationId, user, params, body }) => {
    const project = await scopedProject(app, organizationId, params.projectId);
    if (body.confirmName.trim() !== project.name)
      throw new AppError('bad_request', 'Type the project name exactly to confirm.');
    const storageKeys = await deleteProject(app.db, organizationId, project.id);
    await deleteStoredFiles(app.storage, storageKeys, {
      log: app.log,
      tenantId: organizationId,
      reason: 'deleted project',
    });
    await writeAuditLog(
      app.db,
      organizationId,
      {
        actorType: 'user',
        actorId: user.id,
        action: 'project.deleted',
        targetType: 'project',
        targetId: project.id,
        metadata: { name: project.name },
      },
      origin,
    );
    return { ok: true };
  },
);
