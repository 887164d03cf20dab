import { describe, expect, it } from 'vitest';
import { API_CSP, securityHeaders } from './security-headers';

const opts = { realtimeUrl: 'https://rt.example.com/', dev: false };

describe('security headers', () => {
  it('pages: nothing may frame them; scripts, styles and sockets only from us and the realtime origin', () => {
    const h = securityHeaders('/app/o/x/team', opts);
    expect(h['X-Frame-Options']).toBe('DENY');
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['Referrer-Policy']).toBe('strict-origin-when-cross-origin');
    const csp = Object.fromEntries(
      h['Content-Security-Policy']!.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
    );
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'", "'unsafe-inline'", 'https://rt.example.com']);
    expect(csp['connect-src']).toEqual(["'self'", 'https://rt.example.com', 'wss://rt.example.com']);
    expect(h['Content-Security-Policy']).not.toContain('unsafe-eval');
    expect(
      securityHeaders('/demo', { realtimeUrl: 'http://127.0.0.1:3001', dev: true })['Content-Security-Policy'],
    ).toContain("'unsafe-eval'");
  });

  it('API answers are never documents to run or frame', () => {
    for (const p of ['/api/app/me', '/api/auth/csrf', '/api'])
      expect(securityHeaders(p, opts)['Content-Security-Policy']).toBe(API_CSP);
    expect(API_CSP).toContain("frame-ancestors 'none'");
    expect(API_CSP).toContain('sandbox');
    // a page whose path merely starts with "api" is a page
    expect(securityHeaders('/apis', opts)['Content-Security-Policy']).not.toBe(API_CSP);
  });
});
