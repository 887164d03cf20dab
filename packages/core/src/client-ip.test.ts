import { describe, expect, it } from 'vitest';
import { clientIp } from './client-ip.js';

describe('clientIp', () => {
  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientIp('10.0.0.5', '203.0.113.9', 0)).toBe('10.0.0.5');
    expect(clientIp('::ffff:10.0.0.5', undefined, 2)).toBe('10.0.0.5');
  });
  it('takes the entry as many hops from the right as there are trusted proxies; forged entries stay out of reach', () => {
    expect(clientIp('10.0.0.5', '203.0.113.9', 1)).toBe('203.0.113.9');
    // The client sent "X-Forwarded-For: 1.1.1.1"; the one proxy appended the real address.
    expect(clientIp('10.0.0.5', '1.1.1.1, 203.0.113.9', 1)).toBe('203.0.113.9');
    // Two proxies (CDN → load balancer → us).
    expect(clientIp('10.0.0.5', ['1.1.1.1, 203.0.113.9', '172.16.0.2'], 2)).toBe('203.0.113.9');
  });
  it('falls back sensibly on short or garbage chains', () => {
    expect(clientIp('10.0.0.5', '203.0.113.9', 5)).toBe('203.0.113.9');
    expect(clientIp('10.0.0.5', 'not-an-ip', 1)).toBe('10.0.0.5');
    expect(clientIp('10.0.0.5', '', 1)).toBe('10.0.0.5');
    expect(clientIp('2001:db8::1', '2001:db8::2', 1)).toBe('2001:db8::2');
  });
});
