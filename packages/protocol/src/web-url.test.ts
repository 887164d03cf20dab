import { describe, expect, it } from 'vitest';
import { isWebUrl } from './web-url.js';

describe('isWebUrl', () => {
  it('accepts http(s) URLs only', () => {
    expect(isWebUrl('https://shop.example/pricing?x=1')).toBe(true);
    expect(isWebUrl('http://localhost:3000/')).toBe(true);
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>',
      'vbscript:x',
      'tg://resolve',
      '//evil.example',
      '/relative',
      'not a url',
      '',
      null,
      undefined,
    ]) {
      expect(isWebUrl(bad)).toBe(false);
    }
  });
});
