// The stats page's calendar days: the instant a day starts in the viewer's time zone, across DST changes and
// half-hour offsets (the period the page asks for is [start of "from", start of the day after "to")).
import { describe, expect, it } from 'vitest';
import { nextDate, startOfLocalDay } from './stats-report';

describe('startOfLocalDay', () => {
  it('is local midnight as an instant, before, on and after a DST change', () => {
    expect(startOfLocalDay('2026-03-07', 'America/New_York').toISOString()).toBe('2026-03-07T05:00:00.000Z');
    expect(startOfLocalDay('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfLocalDay('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(startOfLocalDay('2026-10-25', 'Europe/Paris').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(startOfLocalDay('2026-10-26', 'Europe/Paris').toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('handles offsets that are not whole hours, east and west, and UTC', () => {
    expect(startOfLocalDay('2026-01-15', 'Asia/Kolkata').toISOString()).toBe('2026-01-14T18:30:00.000Z');
    expect(startOfLocalDay('2026-01-15', 'America/St_Johns').toISOString()).toBe('2026-01-15T03:30:00.000Z');
    expect(startOfLocalDay('2026-01-15', 'UTC').toISOString()).toBe('2026-01-15T00:00:00.000Z');
  });

  it('nextDate crosses months and years', () => {
    expect(nextDate('2026-02-28')).toBe('2026-03-01');
    expect(nextDate('2026-12-31')).toBe('2027-01-01');
  });
});
