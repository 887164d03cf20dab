import { randomToken } from '@pocketping/core';
import type { TDb } from '../client.js';

export interface TProject {
  id: string;
  organizationId: string;
  name: string;
  publicKey: string;
  allowedOrigins: string[];
  settings: unknown;
}

function toProject(p: { id: string; organizationId: string; name: string; publicKey: string; allowedOrigins: string[]; settings: unknown }): TProject {
  return { id: p.id, organizationId: p.organizationId, name: p.name, publicKey: p.publicKey, allowedOrigins: p.allowedOrigins, settings: p.settings };
}

export async function createProject(
  db: TDb,
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

export async function updateProjectOrigins(db: TDb, organizationId: string, projectId: string, allowedOrigins: string[]): Promise<void> {
  await db.project.update({ where: { organizationId_id: { organizationId, id: projectId } }, data: { allowedOrigins } });
}
