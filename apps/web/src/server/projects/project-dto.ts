import { parseProjectSettings, type TProjectSettings } from '@pocketping/protocol';
import { getLatestAuditEntryAt, getProjectRecord, type TDb, type TProjectRecord } from '@pocketping/db';

/** Audit action recorded whenever the identity secret is generated or rotated ("set on <date>" reads it back). */
export const IDENTITY_SECRET_SET_ACTION = 'project.identity_secret.set';

/** What the dashboard API returns about a project. The identity secret itself is never part of it. */
export interface TProjectDto {
  id: string;
  name: string;
  siteUrl: string | null;
  publicKey: string;
  allowedOrigins: string[];
  settings: TProjectSettings;
  widgetFirstSeenAt: string | null;
  widgetLastSeenAt: string | null;
  identitySecret: { isSet: boolean; setAt: string | null };
  /** Days conversations are kept; null = the plan's figure (docs/privacy.md). */
  retentionDays: number | null;
  createdAt: string;
}

/** When the current identity secret was set (from the audit log), or null if unknown / not set. */
export async function identitySecretSetAt(db: TDb, organizationId: string, projectId: string): Promise<Date | null> {
  return getLatestAuditEntryAt(db, organizationId, {
    action: IDENTITY_SECRET_SET_ACTION,
    targetType: 'project',
    targetId: projectId,
  });
}

export function toProjectDto(p: TProjectRecord, secretSetAt: Date | null): TProjectDto {
  return {
    id: p.id,
    name: p.name,
    siteUrl: p.siteUrl,
    publicKey: p.publicKey,
    allowedOrigins: p.allowedOrigins,
    settings: parseProjectSettings(p.settings),
    widgetFirstSeenAt: p.widgetFirstSeenAt?.toISOString() ?? null,
    widgetLastSeenAt: p.widgetLastSeenAt?.toISOString() ?? null,
    identitySecret: {
      isSet: p.identitySecret !== null,
      setAt: p.identitySecret !== null ? (secretSetAt?.toISOString() ?? null) : null,
    },
    retentionDays: p.retentionDays,
    createdAt: p.createdAt.toISOString(),
  };
}

/** Loads the DTO of a project of this organization (null when it is not one of theirs). */
export async function loadProjectDto(db: TDb, organizationId: string, projectId: string): Promise<TProjectDto | null> {
  const p = await getProjectRecord(db, organizationId, projectId);
  if (!p) return null;
  return toProjectDto(p, p.identitySecret ? await identitySecretSetAt(db, organizationId, projectId) : null);
}
