import { describe, expect, it } from 'vitest';
import { parseRobots } from './robots.js';

describe('parseRobots', () => {
  it('takes our own group over *, and the longest matching rule (Allow on a tie)', () => {
    const r = parseRobots(`
User-agent: *
Disallow: /

User-agent: PocketPingBot
Disallow: /private
Allow: /private/faq
Disallow: /*.pdf$
Disallow: /search?
Sitemap: https://example.com/sitemap.xml
`);
    expect(r.isAllowed('/docs/start')).toBe(true);
    expect(r.isAllowed('/private/keys')).toBe(false);
    expect(r.isAllowed('/private/faq/1')).toBe(true);
    expect(r.isAllowed('/files/a.pdf')).toBe(false);
    expect(r.isAllowed('/files/a.pdf?x=1')).toBe(true);
    expect(r.isAllowed('/search?q=x')).toBe(false);
    expect(r.sitemaps).toEqual(['https://example.com/sitemap.xml']);
    const tie = parseRobots('User-agent: *\nDisallow: /a\nAllow: /a\n');
    expect(tie.isAllowed('/a/b')).toBe(true);
  });

  it('falls back to the * group, ignores comments and empty Disallow, always allows /robots.txt', () => {
    const r = parseRobots(
      '# hello\nUser-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /admin # staff\nDisallow:\n',
    );
    expect(r.isAllowed('/admin/x')).toBe(false);
    expect(r.isAllowed('/help')).toBe(true);
    expect(parseRobots('User-agent: *\nDisallow: /\n').isAllowed('/robots.txt')).toBe(true);
    expect(parseRobots('User-agent: *\nDisallow: /\n').isAllowed('/')).toBe(false);
  });

  it('groups consecutive user-agent lines and compares percent-encodings in one form', () => {
    const r = parseRobots('User-agent: a\nUser-agent: pocketpingbot\nDisallow: /caf%C3%A9\nDisallow: /%7Euser\n');
    expect(r.isAllowed('/caf%c3%a9/menu')).toBe(false);
    expect(r.isAllowed('/~user/page')).toBe(false);
    expect(parseRobots('').isAllowed('/anything')).toBe(true);
  });
});
