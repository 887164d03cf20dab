import { AppError } from '@pocketping/core';
import type { TDb, TTx } from '../client.js';

/** Why a project or chat app is paused; the only reason today. */
export const PAUSED_BY_PLAN = 'plan_limit';

export interface TPlanPauseLimits {
  projects: number | null;
  chatAppsPerProject: number | null;
}

export interface TPlanPauseResult {
  pausedProjects: string[];
  resumedProjects: string[];
  pausedChatApps: string[];
  resumedChatApps: string[];
}

async function lockOrganization(tx: TTx, organizationId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Organization" WHERE id = ${organizationId} FOR UPDATE`;
}

/** Which rows to pause (the newest beyond the limit) and which paused-by-plan rows fit again (the oldest first). */
function plan<T extends { id: string; pausedAt: Date | null; pausedReason: string | null }>(
  rows: T[],
  limit: number | null,
): { pause: string[]; resume: string[] } {
  const active = rows.filter((r) => r.pausedAt === null);
  const pausedByPlan = rows.filter((r) => r.pausedAt !== null && r.pausedReason === PAUSED_BY_PLAN);
  if (limit === null) return { pause: [], resume: pausedByPlan.map((r) => r.id) };
  if (active.length > limit) return { pause: active.slice(limit).map((r) => r.id), resume: [] };
  return { pause: [], resume: pausedByPlan.slice(0, limit - active.length).map((r) => r.id) };
}

/**
 * Brings an organization in line with its plan without deleting anything: the newest projects beyond the plan's
 * count, and in each project the newest chat apps beyond its count, are paused (`pausedAt`, reason plan_limit);
 * when the plan allows more again (an upgrade), rows paused by the plan come back, oldest first. Rows the owner
 * paused by choice (`keepOnly*`) count like the plan's. Runs under the organization's row lock, so two passes (a
 * webhook and the worker's sweep) cannot interleave.
 */
export async function applyPlanPauses(
  db: TDb,
  organizationId: string,
  limits: TPlanPauseLimits,
  now = new Date(),
): Promise<TPlanPauseResult> {
  return db.$transaction(async (tx) => {
    await lockOrganization(tx, organizationId);
    const result: TPlanPauseResult = {
      pausedProjects: [],
      resumedProjects: [],
      pausedChatApps: [],
      resumedChatApps: [],
    };
    const projects = await tx.project.findMany({
      where: { organizationId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, pausedAt: true, pausedReason: true },
    });
    const p = plan(projects, limits.projects);
    result.pausedProjects = p.pause;
    result.resumedProjects = p.resume;
    const connections = await tx.bridgeConnection.findMany({
      where: { organizationId, status: { not: 'disabled' } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, projectId: true, pausedAt: true, pausedReason: true },
    });
    for (const project of projects) {
      const c = plan(
        connections.filter((x) => x.projectId === project.id),
        limits.chatAppsPerProject,
      );
      result.pausedChatApps.push(...c.pause);
      result.resumedChatApps.push(...c.resume);
    }
    if (result.pausedProjects.length > 0)
      await tx.project.updateMany({
        where: { organizationId, id: { in: result.pausedProjects } },
        data: { pausedAt: now, pausedReason: PAUSED_BY_PLAN },
      });
    if (result.resumedProjects.length > 0)
      await tx.project.updateMany({
        where: { organizationId, id: { in: result.resumedProjects } },
        data: { pausedAt: null, pausedReason: null },
      });
    if (result.pausedChatApps.length > 0)
      await tx.bridgeConnection.updateMany({
        where: { organizationId, id: { in: result.pausedChatApps } },
        data: { pausedAt: now, pausedReason: PAUSED_BY_PLAN },
      });
    if (result.resumedChatApps.length > 0)
      await tx.bridgeConnection.updateMany({
        where: { organizationId, id: { in: result.resumedChatApps } },
        data: { pausedAt: null, pausedReason: null },
      });
    return result;
  });
}

/**
 * The owner's choice after a downgrade: exactly these projects stay active (at most `limit`), every other one is
 * paused. bad_request when an id is not one of the organization's projects or when more are kept than allowed.
 */
export async function keepOnlyProjects(
  db: TDb,
  organizationId: string,
  keepIds: string[],
  limit: number | null,
  now = new Date(),
): Promise<void> {
  const keep = [...new Set(keepIds)];
  if (limit !== null && keep.length > limit)
    throw new AppError('bad_request', `Your plan allows ${limit} active project${limit === 1 ? '' : 's'}.`);
  await db.$transaction(async (tx) => {
    await lockOrganization(tx, organizationId);
    const found = await tx.project.count({ where: { organizationId, id: { in: keep } } });
    if (found !== keep.length) throw new AppError('bad_request', 'Unknown project.');
    await tx.project.updateMany({
      where: { organizationId, id: { in: keep } },
      data: { pausedAt: null, pausedReason: null },
    });
    await tx.project.updateMany({
      where: { organizationId, id: { notIn: keep }, pausedAt: null },
      data: { pausedAt: now, pausedReason: PAUSED_BY_PLAN },
    });
  });
}

/** The same choice for the chat apps of one project. */
export async function keepOnlyChatApps(
  db: TDb,
  organizationId: string,
  projectId: string,
  keepIds: string[],
  limit: number | null,
  now = new Date(),
): Promise<void> {
  const keep = [...new Set(keepIds)];
  if (limit !== null && keep.length > limit)
    throw new AppError('bad_request', `Your plan allows ${limit} chat app${limit === 1 ? '' : 's'} per project.`);
  await db.$transaction(async (tx) => {
    await lockOrganization(tx, organizationId);
    const found = await tx.bridgeConnection.count({ where: { organizationId, projectId, id: { in: keep } } });
    if (found !== keep.length) throw new AppError('bad_request', 'Unknown chat app.');
    await tx.bridgeConnection.updateMany({
      where: { organizationId, projectId, id: { in: keep } },
      data: { pausedAt: null, pausedReason: null },
    });
    await tx.bridgeConnection.updateMany({
      where: { organizationId, projectId, id: { notIn: keep }, pausedAt: null },
      data: { pausedAt: now, pausedReason: PAUSED_BY_PLAN },
    });
  });
}
