import type { TProjectSettings } from '@pocketping/protocol';
import { normalizeOrigin } from '~/server/projects/origins';

/** The settings page's one form: everything it saves with its single Save button. */
export interface TSettingsDraft {
  name: string;
  siteUrl: string;
  origins: string[];
  settings: TProjectSettings;
  /** Days of conversations kept, as typed ('' = the plan's figure). */
  retentionDays: string;
}

export type TSettingsField =
  | 'name'
  | 'siteUrl'
  | 'color'
  | 'greeting'
  | 'operatorName'
  | 'avatarUrl'
  | 'language'
  | 'position'
  | 'origins'
  | 'preChat'
  | 'csatEnabled'
  | 'officeHours'
  | 'replyTimeMinutes'
  | 'awayMessage'
  | 'identity'
  | 'retentionDays';

export type TFieldErrors = Partial<Record<TSettingsField, string>>;

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

function isWebUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** What is wrong with the draft, per field, in words a person can act on (never a pattern). */
export function validateSettingsDraft(
  d: TSettingsDraft,
  opts: { identitySecretSet: boolean; planRetentionDays?: number | null },
): TFieldErrors {
  const e: TFieldErrors = {};
  if (d.name.trim() === '') e.name = 'Enter a name for this site.';
  if (d.siteUrl.trim() !== '' && !isWebUrl(d.siteUrl.trim()))
    e.siteUrl = 'Enter the full address, starting with https:// — for example https://example.com.';
  if (!HEX_COLOUR.test(d.settings.color))
    e.color = 'Enter the colour as # followed by six hexadecimal digits (0–9, a–f), for example #2563eb.';
  if (d.settings.operatorName.trim() === '') e.operatorName = 'Enter the name shown in the widget’s header.';
  if (d.settings.avatarUrl !== null && !isWebUrl(d.settings.avatarUrl))
    e.avatarUrl = 'Enter an image address starting with https://, or leave it empty to show the initial.';
  if (d.origins.length === 0) e.origins = 'Add at least one origin: the widget refuses every site that is not listed.';
  else {
    const bad = d.origins.find((o) => !normalizeOrigin(o).ok);
    if (bad) e.origins = `Remove or fix “${bad}”: it is not a valid origin.`;
  }
  if (d.settings.identity === 'enforce' && !opts.identitySecretSet)
    e.identity = 'Generate a secret before enforcing identity verification.';
  if (d.settings.officeHours?.days.some((r) => r.from >= r.to))
    e.officeHours = 'Each opening range must end after it starts.';
  const days = d.retentionDays.trim();
  if (days !== '') {
    const n = Number(days);
    if (!Number.isInteger(n) || n < 1 || n > 3650)
      e.retentionDays = 'Enter a whole number of days from 1 to 3650, or leave it empty for your plan’s figure.';
    else if (opts.planRetentionDays != null && n > opts.planRetentionDays)
      e.retentionDays = `Your plan keeps conversations ${opts.planRetentionDays} days at most.`;
  }
  return e;
}

/** The PATCH body for what changed since `saved` (settings key by key), or null when nothing did. */
export function settingsPatch(d: TSettingsDraft, saved: TSettingsDraft): Record<string, unknown> | null {
  const body: Record<string, unknown> = {};
  if (d.name !== saved.name) body.name = d.name.trim();
  if (d.siteUrl.trim() !== saved.siteUrl.trim()) body.siteUrl = d.siteUrl.trim() === '' ? null : d.siteUrl.trim();
  if (JSON.stringify(d.origins) !== JSON.stringify(saved.origins)) body.allowedOrigins = d.origins;
  const settings: Record<string, unknown> = {};
  for (const k of Object.keys(d.settings) as (keyof TProjectSettings)[]) {
    if (JSON.stringify(d.settings[k]) !== JSON.stringify(saved.settings[k])) settings[k] = d.settings[k];
  }
  if (Object.keys(settings).length > 0) body.settings = settings;
  if (d.retentionDays.trim() !== saved.retentionDays.trim())
    body.retentionDays = d.retentionDays.trim() === '' ? null : Number(d.retentionDays.trim());
  return Object.keys(body).length > 0 ? body : null;
}

const PATH_FIELDS: Record<string, TSettingsField> = {
  name: 'name',
  siteUrl: 'siteUrl',
  allowedOrigins: 'origins',
  retentionDays: 'retentionDays',
};

/**
 * The server's refusal (issues with dotted paths such as `settings.color`) placed on the fields it is about, in the
 * page's own words where the page has them.
 */
export function fieldErrorsFromIssues(
  issues: { path: string; message: string }[],
  draft: TSettingsDraft,
  opts: { identitySecretSet: boolean; planRetentionDays?: number | null },
): { fields: TFieldErrors; other: string[] } {
  const ours = validateSettingsDraft(draft, opts);
  const fields: TFieldErrors = {};
  const other: string[] = [];
  for (const issue of issues) {
    const [head, key] = issue.path.split('.');
    const field = head === 'settings' && key ? (key as TSettingsField) : PATH_FIELDS[head ?? ''];
    if (field) fields[field] = ours[field] ?? `This value was refused: ${issue.message}.`;
    else other.push(issue.message);
  }
  return { fields, other };
}
