import { z } from 'zod';
import { ZAiSettings, startOfMonthUtc, type TAiSettings } from '@pocketping/ai';
import { encryptSecret } from '@pocketping/core';
import {
  getAiUsageSince,
  getOrganizationAiKeyHint,
  getProjectAiRow,
  saveProjectAiSettings,
  setOrganizationAiKey,
  writeAuditLog,
  type TAiUsageTotals,
} from '@pocketping/db';
import type { TWebContext } from '../context';

/** What the AI page shows: the settings, whether the organization's own key is set (its last 4 characters only), usage. */
export interface TAiPageData {
  settings: TAiSettings;
  key: { isSet: boolean; hint: string | null };
  usage: { project: TAiUsageTotals; organization: TAiUsageTotals; since: string };
  /** Whether the platform has a provider key of its own (else the organization must bring one). */
  platformKeyConfigured: boolean;
}

export async function loadAiSettings(
  app: TWebContext,
  organizationId: string,
  projectId: string,
): Promise<TAiSettings> {
  const row = await getProjectAiRow(app.db, organizationId, projectId);
  const raw = row?.settings && typeof row.settings === 'object' ? row.settings : {};
  const parsed = ZAiSettings.safeParse({ model: app.env.OPENAI_MODEL, ...raw });
  return parsed.success ? parsed.data : ZAiSettings.parse({ model: app.env.OPENAI_MODEL });
}

export async function loadAiPageData(
  app: TWebContext,
  organizationId: string,
  projectId: string,
): Promise<TAiPageData> {
  const since = startOfMonthUtc(new Date());
  const [settings, key, project, organization] = await Promise.all([
    loadAiSettings(app, organizationId, projectId),
    getOrganizationAiKeyHint(app.db, organizationId),
    getAiUsageSince(app.db, organizationId, { projectId, since }),
    getAiUsageSince(app.db, organizationId, { projectId: null, since }),
  ]);
  return {
    settings,
    key,
    usage: { project, organization, since: since.toISOString() },
    platformKeyConfigured: Boolean(app.env.OPENAI_API_KEY),
  };
}

/** The settings form sends the whole settings object; every field is validated (ZAiSettings is strict). */
export const ZAiSettingsBody = ZAiSettings;

export async function saveAiSettings(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; userId: string },
  settings: TAiSettings,
): Promise<TAiSettings> {
  await saveProjectAiSettings(app.db, scope.organizationId, scope.projectId, JSON.parse(JSON.stringify(settings)));
  await writeAuditLog(app.db, scope.organizationId, {
    actorType: 'user',
    actorId: scope.userId,
    action: 'project.ai_settings_updated',
    targetType: 'project',
    targetId: scope.projectId,
    metadata: { enabled: settings.enabled, model: settings.model, takeoverDelaySeconds: settings.takeoverDelaySeconds },
  });
  return settings;
}

/** A provider key as people paste it: printable, no spaces (OpenAI's `sk-…`, or a compatible server's). */
export const ZAiKeyBody = z.strictObject({
  apiKey: z
    .string()
    .trim()
    .regex(/^[\x21-\x7e]{8,300}$/, 'must be an API key (8+ printable characters, no spaces)'),
});

/** Seals and stores the organization's own key; only its last 4 characters are ever shown again. */
export async function setAiKey(
  app: TWebContext,
  scope: { organizationId: string; userId: string },
  apiKey: string | null,
): Promise<{ isSet: boolean; hint: string | null }> {
  const key = apiKey ? { sealed: encryptSecret(app.keyRing, apiKey), hint: apiKey.slice(-4) } : null;
  await setOrganizationAiKey(app.db, scope.organizationId, key);
  await writeAuditLog(app.db, scope.organizationId, {
    actorType: 'user',
    actorId: scope.userId,
    action: apiKey ? 'organization.ai_key_set' : 'organization.ai_key_removed',
    targetType: 'organization',
    targetId: scope.organizationId,
  });
  return { isSet: Boolean(key), hint: key?.hint ?? null };
}
