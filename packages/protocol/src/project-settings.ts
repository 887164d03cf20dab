import { z } from 'zod';
import { ZPreChatConfig } from './pre-chat-config.js';
import { isValidTimeZone } from './visitor-context.js';
import { ZWidgetSettings, type TPresenceEvent, type TWidgetSettings } from './widget-events.js';

const ZHourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24 h');

/** Opening hours in the team's time zone; outside them "away" comes without an expected reply time. */
export const ZOfficeHours = z.object({
  timezone: z.string().min(1).max(64),
  /** day: 0 = Sunday … 6 = Saturday; `to` is exclusive. A day without an entry is closed. */
  days: z.array(z.object({ day: z.number().int().min(0).max(6), from: ZHourMinute, to: ZHourMinute })).max(21),
});
export type TOfficeHours = z.infer<typeof ZOfficeHours>;

export const ZIdentityMode = z.enum(['off', 'optional', 'enforce']);
export type TIdentityMode = z.infer<typeof ZIdentityMode>;

/**
 * Everything in Project.settings (JSON). Each field falls back to its default on its own (`.catch`), so one bad
 * value written by an older dashboard never takes the whole widget down.
 */
export const ZProjectSettings = z.object({
  color: ZWidgetSettings.shape.color.catch('#2563eb'),
  position: ZWidgetSettings.shape.position.catch('right'),
  greeting: ZWidgetSettings.shape.greeting.catch('Hi! How can we help?'),
  operatorName: ZWidgetSettings.shape.operatorName.catch('Support'),
  language: ZWidgetSettings.shape.language.catch('auto'),
  avatarUrl: z
    .string()
    .url()
    .max(2000)
    .refine((u) => u.startsWith('https://') || u.startsWith('http://'), 'http(s) only')
    .nullable()
    .default(null)
    .catch(null),
  /**
   * 'off': identify() is stored unverified, hashes are not checked; 'optional': a hash, when given, must be valid
   * and makes the identity verified; 'enforce': identify() without a valid hash is refused, and so is anything else
   * the visitor does before a verified identify().
   */
  identity: ZIdentityMode.default('optional').catch('optional'),
  preChat: ZPreChatConfig.default(ZPreChatConfig.parse({})).catch(ZPreChatConfig.parse({})),
  csatEnabled: z.boolean().default(false).catch(false),
  /** Expected reply time shown while nobody is online. */
  replyTimeMinutes: z.number().int().min(1).max(10_080).nullable().default(null).catch(null),
  officeHours: ZOfficeHours.nullable().default(null).catch(null),
  /** Shown to visitors while nobody is online (null: the widget's built-in "we'll reply soon" text). */
  awayMessage: z.string().max(500).nullable().default(null).catch(null),
  /** Email the team when a visitor has waited this many minutes without an answer (0 = never). */
  waitNotifyMinutes: z.number().int().min(0).max(1_440).default(5).catch(5),
  /** Email the team's replies to a visitor who left an email and is gone (with a link back into the conversation). */
  emailVisitorReplies: z.boolean().default(true).catch(true),
  /** Email the visitor (when their email is known) a transcript when a conversation is closed, once per close. */
  emailTranscriptOnClose: z.boolean().default(false).catch(false),
});
export type TProjectSettings = z.infer<typeof ZProjectSettings>;

/** Office hours as the dashboard submits them: a known time zone, and each range ends after it starts. */
export const ZOfficeHoursInput = ZOfficeHours.superRefine((h, ctx) => {
  if (!isValidTimeZone(h.timezone))
    ctx.addIssue({ code: 'custom', path: ['timezone'], message: `unknown time zone "${h.timezone}"` });
  h.days.forEach((d, i) => {
    if (d.from >= d.to) ctx.addIssue({ code: 'custom', path: ['days', i, 'to'], message: 'must be later than "from"' });
  });
});

/**
 * The strict twin of ZProjectSettings for writes (the dashboard's PATCH): no `.catch`, so a bad value is a 400
 * naming the field instead of silently becoming the default; unknown keys are refused. Every key is optional:
 * a PATCH merges into the stored settings.
 */
export const ZProjectSettingsPatch = z
  .object({
    color: ZWidgetSettings.shape.color.unwrap(),
    position: ZWidgetSettings.shape.position.unwrap(),
    greeting: ZWidgetSettings.shape.greeting.unwrap(),
    operatorName: z.string().trim().min(1).max(80),
    language: ZWidgetSettings.shape.language.unwrap(),
    avatarUrl: z
      .string()
      .max(2000)
      .url()
      .refine((u) => u.startsWith('https://') || u.startsWith('http://'), 'http(s) only')
      .nullable(),
    identity: ZIdentityMode,
    preChat: ZPreChatConfig.refine((c) => new Set(c.fields.map((f) => f.name)).size === c.fields.length, {
      message: 'field names must be unique',
      path: ['fields'],
    }),
    csatEnabled: z.boolean(),
    replyTimeMinutes: z.number().int().min(1).max(10_080).nullable(),
    officeHours: ZOfficeHoursInput.nullable(),
    awayMessage: z.string().max(500).nullable(),
    waitNotifyMinutes: z.number().int().min(0).max(1_440),
    emailVisitorReplies: z.boolean(),
    emailTranscriptOnClose: z.boolean(),
  })
  .partial()
  .strict();
export type TProjectSettingsPatch = z.infer<typeof ZProjectSettingsPatch>;

/** Reads Project.settings (any JSON) into a complete settings object; never throws. */
export function parseProjectSettings(raw: unknown): TProjectSettings {
  return ZProjectSettings.parse(typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {});
}

/** The public part the widget receives in `session`. The identity secret and office hours stay on the server. */
export function toWidgetSettings(s: TProjectSettings): TWidgetSettings {
  return {
    color: s.color,
    position: s.position,
    greeting: s.greeting,
    operatorName: s.operatorName,
    language: s.language,
    preChat: s.preChat,
    csatEnabled: s.csatEnabled,
    avatarUrl: s.avatarUrl,
    replyTimeMinutes: s.replyTimeMinutes,
    identityMode: s.identity,
    awayMessage: s.awayMessage,
  };
}

/** An operator counts as online for this long after their last activity (dashboard or any bridge). */
export const PRESENCE_ONLINE_MS = 5 * 60_000;

/** Is `at` inside the office hours? No office hours configured means always open. */
export function isWithinOfficeHours(hours: TOfficeHours | null, at: Date): boolean {
  if (!hours) return true;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: hours.timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(at);
  } catch {
    return true; // an unknown time zone must not make the team look closed forever
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  const hm = `${get('hour').padStart(2, '0')}:${get('minute').padStart(2, '0')}`;
  return hours.days.some((d) => d.day === day && d.from <= hm && hm < d.to);
}

/**
 * The header status: online while an operator was active in the last 5 minutes (a reply from any chat app or the
 * inbox, the dashboard open) or, when the project has office hours, within them — the team's own promise to be
 * there; otherwise away, with the expected reply time (no office hours) and none outside office hours.
 */
export function computePresence(
  settings: Pick<TProjectSettings, 'replyTimeMinutes' | 'officeHours'>,
  operatorOnline: boolean,
  at: Date,
): TPresenceEvent {
  const isInHours = isWithinOfficeHours(settings.officeHours, at);
  if (operatorOnline || (settings.officeHours && isInHours))
    return { status: 'online', replyTimeMinutes: settings.replyTimeMinutes };
  return { status: 'away', replyTimeMinutes: isInHours ? settings.replyTimeMinutes : null };
}
