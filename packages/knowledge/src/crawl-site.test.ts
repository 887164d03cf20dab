import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { crawlSite } from './crawl-site.js';
import { parseRobots } from './robots.js';

/** A small site whose robots.txt is `robots`; records when each page request started and how many overlapped. */
async function site(robots: string) {
  const starts: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const links = ['/a', '/b', '/c'].map((p) => `<a href="${p}">${p}</a>`).join(' ');
  const server = createServer((req, res) => {
    if (req.url === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(robots);
      return;
    }
    starts.push(performance.now());
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<html><head><title>${req.url}</title></head><body><main><p>Page ${req.url}</p>${links}</main></body></html>`,
        );
    }, 100);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, base, starts, maxInFlight: () => maxInFlight };
}

let server: Server | null = null;
afterEach(async () => {
  const s = server;
  server = null;
  if (s) await new Promise((r) => s.close(r));
});

describe('robots.txt Crawl-delay', () => {
  it('is read from our group, else *; absent or invalid = null', () => {
    expect(parseRobots('User-agent: *\nCrawl-delay: 2\nDisallow: /x').crawlDelaySeconds).toBe(2);
    expect(
      parseRobots('User-agent: PocketPingBot\nCrawl-delay: 0.5\n\nUser-agent: *\nCrawl-delay: 30').crawlDelaySeconds,
    ).toBe(0.5);
    expect(parseRobots('User-agent: *\nDisallow: /x').crawlDelaySeconds).toBeNull();
    expect(parseRobots('User-agent: *\nCrawl-delay: soon').crawlDelaySeconds).toBeNull();
  });

  it('one page at a time, the delay between requests (capped by maxCrawlDelayMs)', async () => {
    const s = await site('User-agent: *\nCrawl-delay: 60\n');
    server = s.server;
    const result = await crawlSite(
      { url: `${s.base}/`, mode: 'site' },
      { fetchPolicy: { allow: ['127.0.0.1'] }, maxPages: 4, maxCrawlDelayMs: 150 },
    );
    expect(result.pages).toHaveLength(4);
    expect(s.maxInFlight()).toBe(1);
    for (let i = 1; i < s.starts.length; i++) expect(s.starts[i]! - s.starts[i - 1]!).toBeGreaterThanOrEqual(145);
  });

  it('without a delay, pages are fetched several at a time', async () => {
    const s = await site('User-agent: *\nDisallow:\n');
    server = s.server;
    const result = await crawlSite(
      { url: `${s.base}/`, mode: 'site' },
      { fetchPolicy: { allow: ['127.0.0.1'] }, maxPages: 4 },
    );
    expect(result.pages).toHaveLength(4);
    expect(s.maxInFlight()).toBeGreaterThan(1);
  });
});
