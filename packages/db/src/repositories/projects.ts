import { randomToken } from '@pocketping/core';
import type { TDb, TDbOrTx } from '../client.js';

export interface TProject {
  id: string;
  organizationId: string;
  name: string;
  publicKey: string;
  allowedOrigins: string[];
  settings: unknown;
}

function toProject(p: {
  id: string;
  organizationId: string;
  name: string;
  publicKey: string;
  allowedOrigins: string[];
  settings: unknown;
}): TProject {
  return {
    id: p.id,
    organizationId: p.organizationId,
    name: p.name,
    publicKey: p.publicKey,
    allowedOrigins: p.allowedOrigins,
    settings: p.settings,
  };
}

export async function createProject(
  db: TDbOrTx,
  organizationId: string,
  input: { name: string; allowedOrigins: string[]; settings?: Record<string, unknown> },
): Promise<TProject> {
  const p = await db.project.create({
    data: {
      organizationId,
      name: input.name,
      publicKey: randomToken('pk_', 18),
      allowedOrigins: input.allowedOrigins,
      settings: (input.settings ?? {}) as object,
    },
  });
  return toProject(p);
}

/**
 * The one lookup that starts from a public value rather than a tenant id: the widget handshake resolves its
 * project key here, and from then on everything is scoped by the project's organizationId.
 */
export async function getProjectByPublicKey(db: TDb, publicKey: string): Promise<TProject | null> {
  const p = await db.project.findUnique({ where: { publicKey } });
  return p ? toProject(p) : null;
}

export async function getProject(db: TDb, organizationId: string, projectId: string): Promise<TProject | null> {
  const p = await db.project.findUnique({ where: { organizationId_id: { organizationId, id: projectId } } });
  return p ? toProject(p) : null;
}

export async function updateProjectOrigins(
  db: TDb,
  organizationId: string,
  projectId: string,
  allowedOrigins: string[],
): Promise<void> {
  await db.project.update({
    where: { organizationId_id: { organizationId, id: projectId } },
    data: { allowedOrigins },
  });
}

/** Every column of a project. `identitySecret` is sealed: callers never return it past the server. */
export interface TProjectRecord {
  id: string;
  organizationId: string;
  name: string;
  siteUrl: string | null;
  publicKey: string;
  allowedOrigins: string[];
  settings: unknown;
  widgetFirstSeenAt: Date | null;
  widgetLastSeenAt: Date | null;
  identitySecret: string | null;
  /** Days conversations are kept (null: the plan's figure). */
  retentionDays: number | null;
  createdAt: Date;
}

/** The full record of a project of this organization, or null (also when it belongs to another organization). */
export async function getProjectRecord(
  db: TDbOrTx,
  organizationId: string,
  projectId: string,
): Promise<TProjectRecord | null> {
  return db.project.findFirst({
    where: { id: projectId, organizationId },
    select: {
      id: true,
      organizationId: true,
      name: true,
      siteUrl: true,
      publicKey: true,
      allowedOrigins: true,
      settings: true,
      widgetFirstSeenAt: true,
      widgetLastSeenAt: true,
      identitySecret: true,
      retentionDays: true,
      createdAt: true,
    },
  });
}

export interface TProjectSummary {
  id: string;
  name: string;
  siteUrl: string | null;
  publicKey: string;
  widgetFirstSeenAt: Date | null;
  createdAt: Date;
}

/** The organization's projects, oldest first. */
export async function listProjectSummaries(db: TDbOrTx, organizationId: string): Promise<TProjectSummary[]> {
  return db.project.findMany({
    where: { organizationId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, siteUrl: true, publicKey: true, widgetFirstSeenAt: true, createdAt: true },
  });
}

/** Ids and names of the organization's projects, oldest first (navigation). */
export async function listProjectNames(db: TDbOrTx, organizationId: string): Promise<{ id: string; name: string }[]> {
  return db.project.findMany({
    where: { organizationId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true },
  });
}

/** The id of the organization's oldest (or newest) project, or null when it has none. */
export async function getFirstProjectId(
  db: TDbOrTx,
  organizationId: string,
  order: 'oldest' | 'newest' = 'oldest',
): Promise<string | null> {
  const p = await db.project.findFirst({
    where: { organizationId },
    orderBy: { createdAt: order === 'oldest' ? 'asc' : 'desc' },
    select: { id: true },
  });
  return p?.id ?? null;
}

export async function countProjects(db: TDbOrTx, organizationId: string): Promise<number> {
  return db.project.count({ where: { organizationId } });
}

/** Changes some of a project's editable fields. */
export async function updateProjectFields(
  db: TDbOrTx,
  organizationId: string,
  projectId: string,
  data: {
    name?: string;
    siteUrl?: string | null;
    allowedOrigins?: string[];
    settings?: object;
    retentionDays?: number | null;
  },
): Promise<void> {
  await db.project.update({ where: { organizationId_id: { organizationId, id: projectId } }, data });
}

/**
 * Deletes a project and, through the schema's cascades, everything it owns. Returns the storage keys of its files,
 * whose bytes are the caller's to delete after this (rows first: a failed byte delete never leaves a row behind).
 */
export async function deleteProject(db: TDbOrTx, organizationId: string, projectId: string): Promise<string[]> {
  const files = await db.attachment.findMany({
    where: { organizationId, conversation: { projectId } },
    select: { storageKey: true },
  });
  await db.project.delete({ where: { organizationId_id: { organizationId, id: projectId } } });
  return files.map((f) => f.storageKey);
}

/**
 * Records a widget handshake: the first sets widgetFirstSeenAt, every one refreshes widgetLastSeenAt. Returns the
 * query's promise (callers fire and forget; it may also throw synchronously).
 */
export function recordWidgetSeen(db: TDb, organizationId: string, projectId: string): Promise<number> {
  return db.$executeRaw`UPDATE "Project" SET "widgetFirstSeenAt" = COALESCE("widgetFirstSeenAt", now()), "widgetLastSeenAt" = now()
        WHERE "organizationId" = ${organizationId} AND id = ${projectId}`;
}
