import { encryptSecret, randomToken, sha256, type TKeyRing } from '@pocketping/core';
import type { TDb } from '../client.js';
import { createApiKey } from './api-keys.js';
import { SYSTEM_ORIGIN, writeAuditLog } from './audit.js';
import { createConnection, type TConnection } from './connections.js';
import { createOrganizationWithOwner } from './organizations.js';
import { createProject, type TProject } from './projects.js';

export interface TBootstrapInput {
  email: string;
  orgName: string;
  projectName?: string;
  allowedOrigins: string[];
  telegram?: { botToken: string; chatId: string; chatTitle?: string | null };
}

export interface TBootstrapResult {
  userId: string;
  organization: { id: string; name: string; slug: string };
  project: TProject;
  apiKey: { id: string; key: string; prefix: string };
  telegram?: { connection: TConnection; webhookSecret: string };
}

/**
 * First user, organization, project and API key — how a self-hoster starts before the dashboard exists — and
 * optionally a Telegram connection with sealed credentials and a fresh webhook secret (stored hashed for the
 * check, sealed with the token so the worker can re-register the webhook).
 */
export async function bootstrapTenant(db: TDb, ring: TKeyRing, input: TBootstrapInput): Promise<TBootstrapResult> {
  const { organization, userId } = await createOrganizationWithOwner(db, {
    email: input.email,
    orgName: input.orgName,
  });
  const project = await createProject(db, organization.id, {
    name: input.projectName ?? input.orgName,
    allowedOrigins: input.allowedOrigins,
  });
  const { key, apiKey } = await createApiKey(db, organization.id, { name: 'bootstrap', createdById: userId });
  let telegram: TBootstrapResult['telegram'];
  if (input.telegram) {
    const webhookSecret = randomToken('', 32);
    const connection = await createConnection(db, organization.id, {
      projectId: project.id,
      kind: 'telegram',
      sealedCredentials: encryptSecret(ring, JSON.stringify({ botToken: input.telegram.botToken, webhookSecret })),
      webhookSecretHash: sha256(webhookSecret),
      targetId: input.telegram.chatId,
      targetName: input.telegram.chatTitle ?? null,
    });
    telegram = { connection, webhookSecret };
  }
  await writeAuditLog(
    db,
    organization.id,
    {
      actorType: 'cli',
      actorId: userId,
      action: 'tenant.bootstrap',
      targetType: 'project',
      targetId: project.id,
    },
    SYSTEM_ORIGIN,
  );
  return {
    userId,
    organization,
    project,
    apiKey: { id: apiKey.id, key, prefix: apiKey.prefix },
    ...(telegram ? { telegram } : {}),
  };
}
