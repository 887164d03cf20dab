import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from './origin.js';

describe('isOriginAllowed', () => {
  const list = ['https://shop.example.com', 'https://*.brand.io', 'http://localhost:3000'];
  it.each([
    ['https://shop.example.com', true],
    ['https://SHOP.example.com', true], // host names are case-insensitive
    ['http://shop.example.com', false],
    ['https://shop.example.com.evil.com', false],
    ['https://a.brand.io', true],
    ['https://deep.a.brand.io', true],
    ['https://brand.io', false],
    ['https://evilbrand.io', false],
    ['http://localhost:3000', true],
    ['http://localhost:3001', false],
    ['null', false],
    [undefined, false],
    ['not a url', false],
  ])('%s → %s', (origin, expected) => {
    expect(isOriginAllowed(origin as string | undefined, list)).toBe(expected);
  });
  it('"*" allows any real origin', () => {
    expect(isOriginAllowed('https://anything.test', ['*'])).toBe(true);
  });
});
