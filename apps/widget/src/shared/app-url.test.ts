import { describe, expect, it } from 'vitest';
import { resolveAssetUrl } from './app-url.js';

describe('resolveAssetUrl', () => {
  it('points beside the loader, versioned by the build hash', () => {
    expect(resolveAssetUrl('https://rt.example.com/widget/loader.js', 'app.js', 'abc123')).toBe(
      'https://rt.example.com/widget/app.js?v=abc123',
    );
    expect(resolveAssetUrl('https://cdn.example.com/pp/1.2/loader.js?v=old#x', 'lang-fr.js', 'h')).toBe(
      'https://cdn.example.com/pp/1.2/lang-fr.js?v=h',
    );
    expect(resolveAssetUrl('http://127.0.0.1:4001/loader.js', 'app.js', 'h')).toBe('http://127.0.0.1:4001/app.js?v=h');
  });
});
