import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next';

describe('safeNext (where to go after signing in)', () => {
  it('keeps same-site relative paths with their query and hash', () => {
    expect(safeNext('/app/o/1/p/2/inbox?x=1#m')).toBe('/app/o/1/p/2/inbox?x=1#m');
    expect(safeNext('/invite/abc')).toBe('/invite/abc');
  });

  it('refuses anything that could leave the site', () => {
    for (const bad of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      '\\\\evil',
      'javascript:alert(1)',
      'app',
      '/a\nb',
      '',
      null,
      undefined,
      `/${'a'.repeat(600)}`,
    ]) {
      expect(safeNext(bad)).toBe('/app');
    }
    expect(safeNext('//evil', '/x')).toBe('/x');
  });
});
