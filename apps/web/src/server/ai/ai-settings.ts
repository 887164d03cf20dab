import { z } from 'zod';
import { DEFAULT_AI_SETTINGS, ZAiSettings, startOfMonthUtc, type TAiSettings } from '@pocketping/ai';
import { AppError, encryptSecret } from '@pocketping/core';
import {
  getAiUsageSince,
  getOrganizationAiKeyHint,
  getProjectAiRow,
  saveProjectAiSettings,
  setOrganizationAiKey,
  writeAuditLog,
  type TAiUsageTotals,
  type TAuditOrigin,
} from '@pocketping/db';
import type { TWebContext } from '../context';

/** What the AI page shows: the settings, whether the organization's own key is set (its last 4 characters only), usage. */
export interface TAiPageData {
  settings: TAiSettings;
  key: { isSet: boolean; hint: string | null };
  usage: { project: TAiUsageTotals; organization: TAiUsageTotals; since: string };
  /** Whether the platform has a provider key of its own (else the organization must bring one). */
  platformKeyConfigured: boolean;
  /** The plan's monthly AI allowance: the most the project's budget may be set to. */
  plan: TAiPlanAllowance;
}

export interface TAiPlanAllowance {
  plan: string;
  maxReplies: number;
  maxTokens: number;
}

/** The organization's monthly AI allowance under its plan right now (Free after a lapsed payment, say). */
export async function loadAiPlanAllowance(app: TWebContext, organizationId: string): Promise<TAiPlanAllowance> {
  const { plan, limits } = await app.limits.entitlements(organizationId);
  return { plan, maxReplies: limits.aiRepliesPerMonth, maxTokens: limits.aiTokensPerMonth };
}

/** The stored budget as it applies: never more than the plan allows (the worker caps it the same way). */
function withinPlan(settings: TAiSettings, plan: TAiPlanAllowance): TAiSettings {
  return {
    ...settings,
    monthlyBudget: {
      maxReplies: Math.min(settings.monthlyBudget.maxReplies, plan.maxReplies),
      maxTokens: Math.min(settings.monthlyBudget.maxTokens, plan.maxTokens),
    },
  };
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
  const [settings, key, project, organization, plan] = await Promise.all([
    loadAiSettings(app, organizationId, projectId),
    getOrganizationAiKeyHint(app.db, organizationId),
    getAiUsageSince(app.db, organizationId, { projectId, since }),
    getAiUsageSince(app.db, organizationId, { projectId: null, since }),
    loadAiPlanAllowance(app, organizationId),
  ]);
  return {
    settings: withinPlan(settings, plan),
    plan,
    key,
    usage: { project, organization, since: since.toISOString() },
    platformKeyConfigured: Boolean(app.env.OPENAI_API_KEY),
  };
}

/**
 * The settings form sends the whole settings object; every field is validated (ZAiSettings is strict). A budget
 * figure left out takes the default within the plan; one given is refused beyond the plan (saveAiSettings).
 */
export const ZAiSettingsBody = ZAiSettings.extend({
  monthlyBudget: z
    .strictObject({
      maxReplies: z.number().int().min(0).max(1_000_000).optional(),
      maxTokens: z.number().int().min(0).max(1_000_000_000).optional(),
    })
    .optional(),
});
export type TAiSettingsBody = z.infer<typeof ZAiSettingsBody>;

export async function saveAiSettings(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; userId: string; origin: TAuditOrigin },
  body: TAiSettingsBody,
): Promise<TAiSettings> {
  // A budget beyond the plan is refused, naming the field and the plan's figure (never silently lowered); a figure
  // not given is the default, within the plan.
  const plan = await loadAiPlanAllowance(app, scope.organizationId);
  const settings: TAiSettings = {
    ...body,
    monthlyBudget: {
      maxReplies:
        body.monthlyBudget?.maxReplies ?? Math.min(DEFAULT_AI_SETTINGS.monthlyBudget.maxReplies, plan.maxReplies),
      maxTokens: body.monthlyBudget?.maxTokens ?? Math.min(DEFAULT_AI_SETTINGS.monthlyBudget.maxTokens, plan.maxTokens),
    },
  };
  const issues: { path: string; message: string }[] = [];
  if (settings.monthlyBudget.maxReplies > plan.maxReplies)
    issues.push({
      path: 'monthlyBudget.maxReplies',
      message: `at most ${plan.maxReplies} AI replies per month on the ${plan.plan} plan`,
    });
  if (settings.monthlyBudget.maxTokens > plan.maxTokens)
    issues.push({
      path: 'monthlyBudget.maxTokens',
      message: `at most ${plan.maxTokens} AI tokens per month on the ${plan.plan} plan`,
    });
  if (issues.length > 0)
    throw new AppError('bad_request', `Invalid body: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, {
      issues,
    });
  await saveProjectAiSettings(app.db, scope.organizationId, scope.projectId, JSON.parse(JSON.stringify(settings)));
  await writeAuditLog(
    app.db,
    scope.organizationId,
    {
      actorType: 'user',
      actorId: scope.userId,
      action: 'project.ai_settings_updated',
      targetType: 'project',
      targetId: scope.projectId,
      metadata: {
        enabled: settings.enabled,
        model: settings.model,
        takeoverDelaySeconds: settings.takeoverDelaySeconds,
      },
    },
    scope.origin,
  );
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
  scope: { organizationId: string; userId: string; origin: TAuditOrigin },
  apiKey: string | null,
): Promise<{ isSet: boolean; hint: string | null }> {
  const key = apiKey ? { sealed: encryptSecret(app.keyRing, apiKey), hint: apiKey.slice(-4) } : null;
  await setOrganizationAiKey(app.db, scope.organizationId, key);
  await writeAuditLog(
    app.db,
    scope.organizationId,
    {
      actorType: 'user',
      actorId: scope.userId,
      action: apiKey ? 'organization.ai_key_set' : 'organization.ai_key_removed',
      targetType: 'organization',
      targetId: scope.organizationId,
    },
    scope.origin,
  );
  return { isSet: Boolean(key), hint: key?.hint ?? null };
}
