import { describe, expect, it } from 'vitest';
import { clientIp, rateLimitAddress } from './client-ip.js';

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

describe('rateLimitAddress', () => {
  it('keeps IPv4 addresses as they are', () => {
    expect(rateLimitAddress('203.0.113.9')).toBe('203.0.113.9');
  });
  it('groups IPv6 addresses by their /64: one subscriber network is one budget', () => {
    const a = rateLimitAddress('2001:db8:aa:bb::1');
    expect(a).toBe('2001:db8:aa:bb::/64');
    expect(rateLimitAddress('2001:0db8:00aa:00bb:ffff:1234:5678:9abc')).toBe(a);
    expect(rateLimitAddress('2001:db8:aa:bb:1::')).toBe(a);
    expect(rateLimitAddress('2001:db8:aa:bc::1')).not.toBe(a);
    expect(rateLimitAddress('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitAddress('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });
  it('leaves anything that is not an address alone', () => {
    expect(rateLimitAddress('unknown')).toBe('unknown');
  });
});
