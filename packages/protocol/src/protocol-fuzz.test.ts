// Property-based tests over every schema the widget, realtime and the dashboard exchange: whatever arrives (random
// JSON, near-valid payloads with one spot made hostile, prototype keys, deep nesting, huge strings), parsing never
// throws anything but a ZodError, and what is accepted stays inside the documented limits.
import { describe, expect, it } from 'vitest';
import { ZodError, type z } from 'zod';
import { fc, fuzzParams, hostileJson, mutationsOf } from '@pocketping/testkit/fuzz';
import { LIMITS, UPLOAD_LIMITS } from './limits.js';
import { ZAttachmentRef, ZClientId, ZMessage, ZMessageBody, ZMessageBodyOrEmpty } from './message.js';
import { ZAckError } from './errors.js';
import { ZPreChatConfig, ZPreChatField } from './pre-chat-config.js';
import {
  ZOfficeHours,
  ZOfficeHoursInput,
  ZProjectSettings,
  ZProjectSettingsPatch,
  computePresence,
  isWithinOfficeHours,
  parseProjectSettings,
  toWidgetSettings,
} from './project-settings.js';
import {
  ZCsat,
  ZCustomEvent,
  ZHistoryRequest,
  ZIdentify,
  ZPreChat,
  ZReadUpdate,
  ZSendMessage,
  ZTypingUpdate,
  ZWidgetAuth,
  ZWidgetSettings,
} from './widget-events.js';

const RUNS = 200;

/** Limits are in characters (Unicode code points), as zod measures strings: an emoji is one character. */
const chars = (s: string) => [...s].length;

/** Every string anywhere in a parsed value, with its path. */
function stringsOf(value: unknown, path = ''): { path: string; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, `${path}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [
      { path: `${path}.{key}`, value: k },
      ...stringsOf(v, `${path}.${k}`),
    ]);
  return [];
}

/** The accepted value may not carry an own key that poisons a merge or a prototype lookup downstream. */
function hasPoisonedKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasPoisonedKey);
  if (value && typeof value === 'object') {
    if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return true;
    return Object.entries(value).some(([k, v]) => k === '__proto__' || hasPoisonedKey(v));
  }
  return false;
}

interface TCase {
  name: string;
  schema: z.ZodType;
  sample: unknown;
  /** What an accepted value must satisfy beyond its type (the documented limits). */
  check?: (data: never) => void;
  /** The schema passes a part through untouched by design (`z.unknown()`): prototype keys may survive there. */
  passThrough?: boolean;
}

const CASES: TCase[] = [
  {
    name: 'ZWidgetAuth',
    schema: ZWidgetAuth,
    sample: {
      projectKey: 'pk_0123456789',
      visitorToken: 'vt_0123456789abcdef',
      pageUrl: 'https://a.test/',
      referrer: 'https://b.test/',
      timeZone: 'Europe/Paris',
      pages: [['https://a.test/pricing', 1_800_000_000_000]],
      now: 1_800_000_000_000,
    },
    check: (d: z.infer<typeof ZWidgetAuth>) => {
      expect(chars(d.projectKey)).toBeLessThanOrEqual(100);
      expect(chars(d.pageUrl ?? '')).toBeLessThanOrEqual(2000);
      expect(d.pages?.length ?? 0).toBeLessThanOrEqual(20);
      for (const [url] of d.pages ?? []) expect(chars(url)).toBeLessThanOrEqual(500);
    },
  },
  {
    name: 'ZSendMessage',
    schema: ZSendMessage,
    sample: { clientId: 'c_0123456789', body: 'Hello', attachmentIds: ['att_1'] },
    check: (d: z.infer<typeof ZSendMessage>) => {
      expect(chars(d.body)).toBeLessThanOrEqual(LIMITS.messageBodyMax);
      expect(d.body).toBe(d.body.trim());
      expect(d.body).not.toContain('\r\n');
      expect(d.body.length > 0 || (d.attachmentIds?.length ?? 0) > 0).toBe(true);
      expect(d.clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
      expect(d.attachmentIds?.length ?? 0).toBeLessThanOrEqual(UPLOAD_LIMITS.perMessageMax);
    },
  },
  {
    name: 'ZHistoryRequest',
    schema: ZHistoryRequest,
    sample: { afterSeq: 3, limit: 50 },
    check: (d: z.infer<typeof ZHistoryRequest>) => {
      expect(Number.isSafeInteger(d.afterSeq) && d.afterSeq >= 0).toBe(true);
      expect(Number.isSafeInteger(d.limit) && d.limit >= 1 && d.limit <= LIMITS.historyPageMax).toBe(true);
    },
  },
  {
    name: 'ZTypingUpdate',
    schema: ZTypingUpdate,
    sample: { isTyping: true },
    check: (d: z.infer<typeof ZTypingUpdate>) => expect(typeof d.isTyping).toBe('boolean'),
  },
  {
    name: 'ZReadUpdate',
    schema: ZReadUpdate,
    sample: { seq: 4 },
    check: (d: z.infer<typeof ZReadUpdate>) => expect(Number.isSafeInteger(d.seq) && d.seq >= 0).toBe(true),
  },
  {
    name: 'ZIdentify',
    schema: ZIdentify,
    sample: {
      id: 'user-1',
      email: 'a@b.test',
      name: 'Ann',
      hash: 'a'.repeat(64),
      traits: { plan: 'pro', seats: 3, beta: true, none: null },
    },
    check: (d: z.infer<typeof ZIdentify>) => {
      expect(d.id.length).toBeGreaterThan(0);
      expect(chars(d.id)).toBeLessThanOrEqual(200);
      for (const [k, v] of Object.entries(d.traits ?? {})) {
        expect(chars(k)).toBeLessThanOrEqual(64);
        expect(v === null || ['string', 'number', 'boolean'].includes(typeof v)).toBe(true);
        if (typeof v === 'string') expect(chars(v)).toBeLessThanOrEqual(500);
      }
    },
  },
  {
    name: 'ZCustomEvent',
    schema: ZCustomEvent,
    sample: { name: 'plan.upgraded', data: { plan: 'pro', n: 2 } },
    check: (d: z.infer<typeof ZCustomEvent>) => {
      expect(d.name).toMatch(/^[\w.:-]{1,100}$/);
      for (const [k, v] of Object.entries(d.data ?? {})) {
        expect(chars(k)).toBeLessThanOrEqual(64);
        if (typeof v === 'string') expect(chars(v)).toBeLessThanOrEqual(500);
      }
    },
  },
  {
    name: 'ZPreChat',
    schema: ZPreChat,
    sample: { email: 'a@b.test', name: 'Ann', fields: { company: 'Acme' } },
    check: (d: z.infer<typeof ZPreChat>) => {
      for (const [k, v] of Object.entries(d.fields ?? {})) {
        expect(chars(k)).toBeLessThanOrEqual(64);
        expect(typeof v === 'string' && chars(v) <= 1000).toBe(true);
      }
    },
  },
  {
    name: 'ZCsat',
    schema: ZCsat,
    sample: { score: 4, comment: 'ok' },
    check: (d: z.infer<typeof ZCsat>) => {
      expect([1, 2, 3, 4, 5]).toContain(d.score);
      expect(chars(d.comment ?? '')).toBeLessThanOrEqual(2000);
    },
  },
  {
    name: 'ZWidgetSettings',
    schema: ZWidgetSettings,
    sample: {
      color: '#112233',
      position: 'left',
      greeting: 'Hi',
      operatorName: 'Sam',
      language: 'fr',
      csatEnabled: true,
      avatarUrl: null,
      replyTimeMinutes: 5,
      identityMode: 'optional',
      awayMessage: null,
      preChat: { enabled: true, fields: [{ name: 'company', label: 'Company' }] },
    },
    check: (d: z.infer<typeof ZWidgetSettings>) => {
      expect(d.color).toMatch(/^#[0-9a-fA-F]{6}$/);
      expect(chars(d.greeting)).toBeLessThanOrEqual(500);
    },
  },
  {
    name: 'ZMessage',
    schema: ZMessage,
    sample: {
      id: 'm1',
      conversationId: 'c1',
      seq: 1,
      clientId: null,
      sender: 'operator',
      authorName: 'Sam',
      body: 'Hi',
      source: 'telegram',
      createdAt: '2026-01-01T00:00:00Z',
      editedAt: null,
      deletedAt: null,
      attachments: [{ id: 'a', name: 'f.png', contentType: 'image/png', size: 3, url: null }],
    },
    check: (d: z.infer<typeof ZMessage>) => expect(Number.isSafeInteger(d.seq) && d.seq > 0).toBe(true),
  },
  {
    name: 'ZAttachmentRef',
    schema: ZAttachmentRef,
    sample: { id: 'a', name: 'f.png', contentType: 'image/png', size: 3, url: 'https://x.test/f' },
  },
  {
    name: 'ZMessageBody',
    schema: ZMessageBody,
    sample: 'Hello',
    check: (d: string) => expect(d.length > 0 && chars(d) <= LIMITS.messageBodyMax).toBe(true),
  },
  {
    name: 'ZMessageBodyOrEmpty',
    schema: ZMessageBodyOrEmpty,
    sample: '',
    check: (d: string) => expect(chars(d)).toBeLessThanOrEqual(LIMITS.messageBodyMax),
  },
  {
    name: 'ZClientId',
    schema: ZClientId,
    sample: 'c_0123456789',
    check: (d: string) => expect(d).toMatch(/^[A-Za-z0-9_-]{8,64}$/),
  },
  {
    name: 'ZAckError',
    schema: ZAckError,
    sample: { code: 'bad_request', message: 'x', details: [{ path: 'a' }] },
    passThrough: true,
  },
  {
    name: 'ZPreChatConfig',
    schema: ZPreChatConfig,
    sample: {
      enabled: true,
      mode: 'after',
      emailRequired: false,
      askName: true,
      fields: [{ name: 'company', label: 'Company', type: 'text', required: true }],
    },
    check: (d: z.infer<typeof ZPreChatConfig>) => {
      expect(d.fields.length).toBeLessThanOrEqual(10);
      for (const f of d.fields) expect(f.name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,63}$/);
    },
  },
  {
    name: 'ZPreChatField',
    schema: ZPreChatField,
    sample: { name: 'company', label: 'Company', type: 'tel', required: false },
  },
  {
    name: 'ZOfficeHours',
    schema: ZOfficeHours,
    sample: { timezone: 'Europe/Paris', days: [{ day: 1, from: '09:00', to: '17:00' }] },
    check: (d: z.infer<typeof ZOfficeHours>) => {
      expect(d.days.length).toBeLessThanOrEqual(21);
      for (const day of d.days) expect(day.from).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
    },
  },
  {
    name: 'ZOfficeHoursInput',
    schema: ZOfficeHoursInput,
    sample: { timezone: 'Asia/Tokyo', days: [{ day: 0, from: '09:00', to: '10:00' }] },
  },
  {
    name: 'ZProjectSettingsPatch',
    schema: ZProjectSettingsPatch,
    sample: {
      color: '#abcdef',
      operatorName: 'Sam',
      avatarUrl: 'https://a.test/x.png',
      identity: 'enforce',
      replyTimeMinutes: 30,
      officeHours: { timezone: 'UTC', days: [{ day: 2, from: '08:00', to: '12:00' }] },
      awayMessage: 'Back soon',
      preChat: { enabled: true, fields: [] },
    },
    check: (d: z.infer<typeof ZProjectSettingsPatch>) => {
      if (d.avatarUrl) expect(d.avatarUrl).toMatch(/^https?:\/\//);
      if (d.operatorName !== undefined) expect(d.operatorName.trim().length).toBeGreaterThan(0);
      if (d.preChat) expect(new Set(d.preChat.fields.map((f) => f.name)).size).toBe(d.preChat.fields.length);
    },
  },
];

/** Random JSON half of the time, a near-valid mutation of the sample the other half. */
const inputFor = (sample: unknown) => fc.oneof(hostileJson(), mutationsOf(sample));

describe('protocol schemas under hostile input', () => {
  it.each(CASES)(
    '$name: never throws, accepts only what respects its limits',
    ({ schema, sample, check, passThrough }) => {
      // The sample itself is valid: otherwise the mutations prove nothing.
      expect(schema.safeParse(sample).success).toBe(true);
      fc.assert(
        fc.property(inputFor(sample), (input) => {
          const result = schema.safeParse(input);
          if (!result.success) {
            expect(result.error).toBeInstanceOf(ZodError);
            return;
          }
          if (!passThrough) expect(hasPoisonedKey(result.data)).toBe(false);
          check?.(result.data as never);
          // `.parse` agrees with `.safeParse` and throws nothing else.
          expect(() => schema.parse(input)).not.toThrow();
        }),
        fuzzParams(RUNS),
      );
      expect(Object.prototype).not.toHaveProperty('polluted');
    },
  );
});

describe('settings helpers under hostile input', () => {
  const settingsSample = {
    color: '#112233',
    greeting: 'Hello',
    preChat: { enabled: true, fields: [{ name: 'x', label: 'X' }] },
    replyTimeMinutes: 15,
    officeHours: { timezone: 'Europe/Paris', days: [{ day: 3, from: '09:00', to: '18:00' }] },
    avatarUrl: 'https://a.test/a.png',
  };

  it('parseProjectSettings never throws and always yields complete, valid settings; the widget part stays public', () => {
    fc.assert(
      fc.property(inputFor(settingsSample), fc.date({ noInvalidDate: true }), fc.boolean(), (raw, at, online) => {
        const s = parseProjectSettings(raw);
        // What the read path yields is exactly what the strict read schema accepts (each field fell back on its own).
        expect(ZProjectSettings.safeParse(s).success).toBe(true);
        const widget = toWidgetSettings(s);
        expect(ZWidgetSettings.safeParse(widget).success).toBe(true);
        expect(widget).not.toHaveProperty('officeHours');
        if (widget.avatarUrl) expect(widget.avatarUrl).toMatch(/^https?:\/\//);
        const presence = computePresence(s, online, at);
        expect(['online', 'away']).toContain(presence.status);
        expect(typeof isWithinOfficeHours(s.officeHours, at)).toBe('boolean');
      }),
      fuzzParams(RUNS),
    );
  });

  it('accepted strings never carry prototype keys as own object keys', () => {
    fc.assert(
      fc.property(inputFor(settingsSample), (raw) => {
        for (const { path, value } of stringsOf(parseProjectSettings(raw)))
          expect(`${path}=${value}`).not.toMatch(/\{key\}=__proto__$/);
      }),
      fuzzParams(100),
    );
  });
});
