import type { TDb } from '../client.js';

export interface TVisitor {
  id: string;
  organizationId: string;
  projectId: string;
  email: string | null;
  name: string | null;
}

export async function createVisitor(
  db: TDb,
  organizationId: string,
  input: { projectId: string; tokenHash: string; metadata?: Record<string, unknown> },
): Promise<TVisitor> {
  const v = await db.visitor.create({
    data: {
      organizationId,
      projectId: input.projectId,
      tokenHash: input.tokenHash,
      metadata: (input.metadata ?? {}) as object,
    },
  });
  return { id: v.id, organizationId: v.organizationId, projectId: v.projectId, email: v.email, name: v.name };
}

/** Resolves a visitor token (hashed) within one project of one tenant; a token of another project finds nothing. */
export async function getVisitorByTokenHash(
  db: TDb,
  organizationId: string,
  projectId: string,
  tokenHash: string,
): Promise<TVisitor | null> {
  const v = await db.visitor.findFirst({ where: { organizationId, projectId, tokenHash } });
  if (!v) return null;
  await db.visitor.update({
    where: { organizationId_id: { organizationId, id: v.id } },
    data: { lastSeenAt: new Date() },
  });
  return { id: v.id, organizationId: v.organizationId, projectId: v.projectId, email: v.email, name: v.name };
}

export async function getVisitor(
  db: TDb,
  organizationId: string,
  visitorId: string,
): Promise<(TVisitor & { metadata: unknown }) | null> {
  const v = await db.visitor.findUnique({ where: { organizationId_id: { organizationId, id: visitorId } } });
  return v
    ? {
        id: v.id,
        organizationId: v.organizationId,
        projectId: v.projectId,
        email: v.email,
        name: v.name,
        metadata: v.metadata,
      }
    : null;
}
