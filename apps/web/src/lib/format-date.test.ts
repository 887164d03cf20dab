import { describe, expect, it } from 'vitest';
import { formatDate } from './format-date';

const tz = { timeZone: 'Europe/Paris' };

describe('formatDate: the one way dates are written in the dashboard', () => {
  it('writes dates and times the same way whatever the style asked', () => {
    const at = '2026-03-03T13:05:00Z';
    expect(formatDate(at, 'date', tz)).toBe('3 Mar 2026');
    expect(formatDate(at, 'datetime', tz)).toBe('3 Mar 2026, 14:05');
    expect(formatDate(new Date(at), 'datetime', tz)).toBe('3 Mar 2026, 14:05');
  });

  it('compact: the time today, day and time this year, the date before', () => {
    const now = new Date('2026-12-07T10:00:00Z');
    expect(formatDate('2026-12-07T08:30:00Z', 'compact', { ...tz, now })).toBe('09:30');
    expect(formatDate('2026-03-03T13:05:00Z', 'compact', { ...tz, now })).toBe('3 Mar, 14:05');
    expect(formatDate('2025-11-30T13:05:00Z', 'compact', { ...tz, now })).toBe('30 Nov 2025');
  });

  it('"today" is the reader\'s day, not UTC\'s', () => {
    const now = new Date('2026-12-07T23:30:00Z'); // already 8 Dec in Paris
    expect(formatDate('2026-12-07T23:10:00Z', 'compact', { ...tz, now })).toBe('00:10');
    expect(formatDate('2026-12-07T22:50:00Z', 'compact', { ...tz, now })).toBe('7 Dec, 23:50');
  });

  it('an unreadable value is a dash, never "Invalid Date"', () => {
    expect(formatDate('not a date')).toBe('—');
  });
});
