import { AppError } from '@pocketping/core';
import { emitWebhookEvent } from './webhooks.js';
import type { TDb } from '../client.js';
import type { TOutboxRef } from './messages.js';
import { changesThreadTitle, queueThreadRenames } from './thread-renames.js';

/** The project's identity secret, sealed (AES-GCM, see @pocketping/core secrets); null when none is set. */
export async function getProjectIdentitySecret(
  db: TDb,
  organizationId: string,
  projectId: string,
): Promise<string | null> {
  const p = await db.project.findUnique({
    where: { organizationId_id: { organizationId, id: projectId } },
    select: { identitySecret: true },
  });
  return p?.identitySecret ?? null;
}

/** Stores an already sealed identity secret (the caller seals it; this package never sees the plain value). */
export async function setProjectIdentitySecret(
  db: TDb,
  organizationId: string,
  projectId: string,
  sealedSecret: string | null,
): Promise<void> {
  await db.project.update({
    where: { organizationId_id: { organizationId, id: projectId } },
    data: { identitySecret: sealedSecret },
  });
}

export interface TVisitorIdentity {
  externalId: string | null;
  identityVerified: boolean;
  email: string | null;
  name: string | null;
  /** Shown fields the customer's signature covered: 'email', 'name', 'traits.<key>'. Anything else is unverified. */
  verifiedFields: string[];
}

export async function getVisitorIdentity(
  db: TDb,
  organizationId: string,
  visitorId: string,
): Promise<TVisitorIdentity | null> {
  const v = await db.visitor.findUnique({
    where: { organizationId_id: { organizationId, id: visitorId } },
    select: { externalId: true, identityVerified: true, email: true, name: true, verifiedFields: true },
  });
  return v;
}

/**
 * Applies an identify() to a visitor. The rule that matters is enforced here, under a row lock so two tabs
 * cannot interleave: a verified identity is only replaced by another verified one. An unverified call for the same
 * id is accepted but changes nothing (a page that calls identify() without the hash must not downgrade or
 * rewrite a verified visitor); an unverified call for another id is refused. `verifiedFields` names the fields the
 * signature covered (a signed token); a call that verifies only the id (the id-only hash) leaves every shown field
 * unverified.
 */
export async function applyVisitorIdentity(
  db: TDb,
  organizationId: string,
  visitorId: string,
  input: {
    externalId: string;
    verified: boolean;
    verifiedFields?: readonly string[];
    email?: string | undefined;
    name?: string | undefined;
    traits?: Record<string, unknown> | undefined;
  },
): Promise<TVisitorIdentity & { renames: TOutboxRef[] }> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<
      {
        externalId: string | null;
        identityVerified: boolean;
        email: string | null;
        name: string | null;
        metadata: unknown;
        verifiedFields: string[] | null;
        projectId: string;
      }[]
    >`
      SELECT "externalId", "identityVerified", email, name, metadata, "verifiedFields", "projectId" FROM "Visitor"
      WHERE "organizationId" = ${organizationId} AND id = ${visitorId} FOR UPDATE`;
    const current = rows[0];
    if (!current) throw new AppError('not_found', 'Visitor not found');
    if (current.identityVerified && !input.verified) {
      if (current.externalId !== input.externalId)
        throw new AppError('forbidden', 'This visitor has a verified identity; another identity needs a valid hash');
      return {
        externalId: current.externalId,
        identityVerified: true,
        email: current.email,
        name: current.name,
        verifiedFields: current.verifiedFields ?? [],
        renames: [],
      };
    }
    const metadata =
      typeof current.metadata === 'object' && current.metadata !== null
        ? (current.metadata as Record<string, unknown>)
        : {};
    const v = await tx.visitor.update({
      where: { organizationId_id: { organizationId, id: visitorId } },
      data: {
        externalId: input.externalId,
        identityVerified: input.verified,
        verifiedFields: input.verified ? [...new Set(input.verifiedFields ?? [])] : [],
        ...(input.email === undefined ? {} : { email: input.email }),
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.traits === undefined ? {} : { metadata: { ...metadata, traits: input.traits } as object }),
      },
      select: { externalId: true, identityVerified: true, email: true, name: true, verifiedFields: true },
    });
    await emitWebhookEvent(tx, organizationId, {
      projectId: current.projectId,
      type: 'visitor.identified',
      conversationId: null,
      data: {
        visitor: {
          id: visitorId,
          projectId: current.projectId,
          externalId: v.externalId,
          email: v.email,
          name: v.name,
          verified: v.identityVerified,
          verifiedFields: v.verifiedFields,
          ...(input.traits === undefined ? {} : { traits: input.traits }),
        },
      },
    });
    // A new name or email renames the visitor's open threads in the chat apps (through the outbox).
    const renames = changesThreadTitle(current, v) ? await queueThreadRenames(tx, organizationId, visitorId) : [];
    return { ...v, renames };
  });
}
