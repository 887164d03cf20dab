import { describe, expect, it } from 'vitest';
import { resolveAppUrl } from './app-url.js';

describe('resolveAppUrl', () => {
  it('points at app.js beside the loader, versioned by the build hash', () => {
    expect(resolveAppUrl('https://rt.example.com/widget/loader.js', 'abc123')).toBe('https://rt.example.com/widget/app.js?v=abc123');
    expect(resolveAppUrl('https://cdn.example.com/pp/1.2/loader.js?v=old#x', 'h')).toBe('https://cdn.example.com/pp/1.2/app.js?v=h');
    expect(resolveAppUrl('http://127.0.0.1:4001/loader.js', 'h')).toBe('http://127.0.0.1:4001/app.js?v=h');
  });
});
