import { describe, expect, it } from 'vitest';
import { parseAppearance, readableTextColor, sanitizeAppearance } from './appearance.js';

const FALLBACK = { color: '#2563eb', position: 'right' as const };

describe('parseAppearance', () => {
  it('reads a cached appearance', () => {
    expect(parseAppearance('{"color":"#10b981","position":"left"}', FALLBACK)).toEqual({
      color: '#10b981',
      position: 'left',
    });
  });

  it('falls back on missing, malformed or hostile values', () => {
    expect(parseAppearance(null, FALLBACK)).toEqual(FALLBACK);
    expect(parseAppearance('{', FALLBACK)).toEqual(FALLBACK);
    expect(parseAppearance('"x"', FALLBACK)).toEqual(FALLBACK);
    expect(parseAppearance('{"color":"red;}body{display:none","position":"top"}', FALLBACK)).toEqual(FALLBACK);
    expect(sanitizeAppearance({ color: '#12345', position: 'left' }, FALLBACK)).toEqual({
      color: '#2563eb',
      position: 'left',
    });
  });
});

describe('readableTextColor', () => {
  it('puts white on dark colours and dark text on light ones', () => {
    expect(readableTextColor('#2563eb')).toBe('#ffffff');
    expect(readableTextColor('#000000')).toBe('#ffffff');
    expect(readableTextColor('#ffffff')).toBe('#111827');
    expect(readableTextColor('#facc15')).toBe('#111827');
  });
});
