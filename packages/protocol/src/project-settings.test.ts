import { describe, expect, it } from 'vitest';
import { ZProjectSettingsPatch, computePresence, parseProjectSettings, toWidgetSettings } from './project-settings.js';

describe('project settings', () => {
  it('reads old or broken JSON field by field, with the new away message defaulting to null', () => {
    const s = parseProjectSettings({ color: 'nope', greeting: 'Hello', awayMessage: 42 });
    expect(s.color).toBe('#2563eb');
    expect(s.greeting).toBe('Hello');
    expect(s.awayMessage).toBeNull();
  });

  it('sends the widget its public part: away message yes, office hours no', () => {
    const w = toWidgetSettings(
      parseProjectSettings({ awayMessage: 'Back at 9', officeHours: { timezone: 'UTC', days: [] } }),
    );
    expect(w.awayMessage).toBe('Back at 9');
    expect(w).not.toHaveProperty('officeHours');
  });

  it('the write schema refuses what the read schema would silently default', () => {
    expect(ZProjectSettingsPatch.safeParse({ color: '#12345' }).success).toBe(false);
    expect(ZProjectSettingsPatch.safeParse({ operatorName: '   ' }).success).toBe(false);
    expect(ZProjectSettingsPatch.safeParse({ officeHours: { timezone: 'Nowhere/City', days: [] } }).success).toBe(
      false,
    );
    expect(
      ZProjectSettingsPatch.safeParse({
        officeHours: { timezone: 'Asia/Tokyo', days: [{ day: 7, from: '09:00', to: '10:00' }] },
      }).success,
    ).toBe(false);
    expect(ZProjectSettingsPatch.safeParse({ awayMessage: 'x'.repeat(501) }).success).toBe(false);
    expect(ZProjectSettingsPatch.safeParse({ secret: 'x' }).success).toBe(false);
    const ok = ZProjectSettingsPatch.parse({
      officeHours: { timezone: 'Asia/Tokyo', days: [{ day: 0, from: '09:00', to: '10:00' }] },
      awayMessage: null,
    });
    expect(ok.officeHours?.days[0]?.day).toBe(0);
  });

  it('presence: online when someone is active, or within configured office hours; away otherwise', () => {
    // Monday 2026-12-07, 10:00 UTC.
    const monday10 = new Date('2026-12-07T10:00:00Z');
    const weekdays = { timezone: 'UTC', days: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:00' })) };
    const hours = { replyTimeMinutes: 12, officeHours: weekdays };
    expect(computePresence(hours, false, monday10)).toEqual({ status: 'online', replyTimeMinutes: 12 });
    expect(computePresence(hours, false, new Date('2026-12-07T18:00:00Z'))).toEqual({
      status: 'away',
      replyTimeMinutes: null,
    });
    expect(computePresence(hours, true, new Date('2026-12-07T18:00:00Z'))).toMatchObject({ status: 'online' });
    // No office hours: only activity says online; away still shows the expected reply time.
    const none = { replyTimeMinutes: 12, officeHours: null };
    expect(computePresence(none, false, monday10)).toEqual({ status: 'away', replyTimeMinutes: 12 });
    expect(computePresence(none, true, monday10)).toEqual({ status: 'online', replyTimeMinutes: 12 });
  });
});
