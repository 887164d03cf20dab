import { htmlToText } from './html-to-text.js';
import { parseRobots, robotsAllowAll, robotsDisallowAll, type TRobots } from './robots.js';
import { FetchRefusedError, safeFetch, type TFetchPolicy } from '@pocketping/core';

/**
 * Crawls the customer's own site for the AI's knowledge: from a start URL following links, or the URLs of a sitemap
 * (sitemap indexes followed). Same site only (the start URL's host, with or without `www.`), robots.txt honoured
 * (our group, else `*`; unreachable robots.txt = nothing crawled), `noindex` pages skipped and `nofollow` respected,
 * bounded by a page count, a size per page and a deadline. Every fetch goes through `safeFetch` (no private addresses).
 */

export interface TCrawlOptions {
  fetchPolicy: TFetchPolicy;
  maxPages: number;
  /** The whole crawl (default 5 minutes); pages not fetched by then are left out with a warning. */
  deadlineMs?: number;
  /** Pages fetched at the same time (default 4; 1 when robots.txt asks for a crawl delay). */
  concurrency?: number;
  /** The longest robots.txt `Crawl-delay` honoured, in ms (default 10 s): a larger one is cut to it. */
  maxCrawlDelayMs?: number;
  signal?: AbortSignal;
}

export interface TCrawledPage {
  url: string;
  title: string;
  text: string;
}

export interface TCrawlResult {
  pages: TCrawledPage[];
  /** Pages skipped and why (bounded), for the owner. */
  warnings: string[];
  /** The title of the start page, when it was fetched. */
  siteTitle: string | null;
}

export class CrawlFailedError extends Error {
  override name = 'CrawlFailedError';
}

const SKIP_EXTENSIONS =
  /\.(png|jpe?g|gif|webp|svg|ico|bmp|tiff?|pdf|zip|gz|tgz|rar|7z|tar|mp3|mp4|m4a|wav|ogg|webm|mov|avi|css|js|mjs|json|xml|rss|atom|woff2?|ttf|eot|exe|dmg|apk|iso|docx?|xlsx?|pptx?|csv)$/i;
const MAX_WARNINGS = 50;
const MAX_SITEMAPS = 20;

const siteHost = (u: URL) => u.hostname.toLowerCase().replace(/^www\./, '');

/** One page per URL: no fragment; the query kept (it can select content) but sorted out of the way of duplicates. */
export function normaliseUrl(raw: string, base?: string | URL): URL | null {
  try {
    const u = base ? new URL(raw, base) : new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    u.hash = '';
    u.searchParams.sort();
    return u;
  } catch {
    return null;
  }
}

/** `<loc>` entries of a sitemap or sitemap index. */
export function parseSitemap(xml: string): { pages: string[]; sitemaps: string[] } {
  const locs = (block: string) =>
    [...block.matchAll(/<loc>\s*(?:<!\[CDATA\[)?\s*([^<\]]+?)\s*(?:\]\]>)?\s*<\/loc>/gi)].map((m) =>
      m[1]!
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'"),
    );
  const sitemaps = [...xml.matchAll(/<sitemap>([\s\S]*?)<\/sitemap>/gi)].flatMap((m) => locs(m[1]!));
  const pages = [...xml.matchAll(/<url>([\s\S]*?)<\/url>/gi)].flatMap((m) => locs(m[1]!));
  return { pages, sitemaps };
}

async function loadRobots(origin: URL, policy: TFetchPolicy, signal: AbortSignal): Promise<TRobots> {
  const robotsUrl = new URL('/robots.txt', origin);
  try {
    const res = await safeFetch(
      robotsUrl.href,
      { ...policy, maxBytes: 512 * 1024 },
      {
        accept: 'text/plain,*/*;q=0.1',
        signal,
        allowRedirect: (to) => siteHost(to) === siteHost(origin),
      },
    );
    // RFC 9309: 4xx = no rules; 2xx = the rules; 5xx = assume everything is disallowed.
    if (res.status >= 200 && res.status < 300) return parseRobots(res.body.toString('utf8'));
    if (res.status >= 400 && res.status < 500) return robotsAllowAll();
    return robotsDisallowAll();
  } catch (err) {
    if (err instanceof FetchRefusedError && (err.reason === 'private_address' || err.reason === 'bad_url')) throw err;
    return robotsDisallowAll();
  }
}

export async function crawlSite(
  start: { url: string; mode: 'site' | 'sitemap' },
  opts: TCrawlOptions,
): Promise<TCrawlResult> {
  const startUrl = normaliseUrl(start.url);
  if (!startUrl) throw new CrawlFailedError(`Not an http(s) URL: ${start.url.slice(0, 200)}`);
  const deadline = AbortSignal.timeout(opts.deadlineMs ?? 5 * 60_000);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const warnings: string[] = [];
  const warn = (w: string) => {
    if (warnings.length < MAX_WARNINGS) warnings.push(w);
  };
  const sameSite = (u: URL) => siteHost(u) === siteHost(startUrl);
  const fetchOpts = { signal, allowRedirect: sameSite };

  let robots: TRobots;
  try {
    robots = await loadRobots(startUrl, opts.fetchPolicy, signal);
  } catch (err) {
    throw new CrawlFailedError((err as Error).message);
  }
  const robotsOk = (u: URL) => robots.isAllowed(`${u.pathname}${u.search}`);

  const queue: URL[] = [];
  const queued = new Set<string>();
  const enqueue = (u: URL, from: string) => {
    if (queued.has(u.href)) return;
    if (!sameSite(u)) return;
    if (SKIP_EXTENSIONS.test(u.pathname)) return;
    queued.add(u.href);
    if (!robotsOk(u)) {
      warn(`${u.href}: disallowed by robots.txt (linked from ${from})`);
      return;
    }
    queue.push(u);
  };

  if (start.mode === 'sitemap') {
    const sitemapQueue = [startUrl.href];
    const seenSitemaps = new Set<string>();
    while (sitemapQueue.length > 0 && seenSitemaps.size < MAX_SITEMAPS && queue.length < opts.maxPages) {
      const sm = sitemapQueue.shift()!;
      if (seenSitemaps.has(sm)) continue;
      seenSitemaps.add(sm);
      let xml: string;
      try {
        const res = await safeFetch(
          sm,
          { ...opts.fetchPolicy, maxBytes: 10 * 1024 * 1024 },
          {
            ...fetchOpts,
            accept: 'application/xml,text/xml,*/*;q=0.1',
          },
        );
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        xml = res.body.toString('utf8');
      } catch (err) {
        if (seenSitemaps.size === 1)
          throw new CrawlFailedError(`The sitemap could not be read: ${(err as Error).message}`);
        warn(`${sm}: ${(err as Error).message}`);
        continue;
      }
      const parsed = parseSitemap(xml);
      for (const s of parsed.sitemaps) {
        const u = normaliseUrl(s);
        if (u && sameSite(u)) sitemapQueue.push(u.href);
      }
      for (const p of parsed.pages) {
        const u = normaliseUrl(p);
        if (!u) continue;
        if (!sameSite(u)) {
          warn(`${p}: not on ${startUrl.hostname}, skipped`);
          continue;
        }
        if (queue.length < opts.maxPages) enqueue(u, 'the sitemap');
      }
    }
    if (queue.length === 0 && warnings.length === 0)
      throw new CrawlFailedError('The sitemap lists no page of this site');
  } else {
    if (!robotsOk(startUrl)) throw new CrawlFailedError(`robots.txt does not allow crawling ${startUrl.href}`);
    enqueue(startUrl, 'the start URL');
  }

  const pages: TCrawledPage[] = [];
  const fetchedUrls = new Set<string>();
  let siteTitle: string | null = null;
  let fetched = 0;
  let startError: string | null = null;

  const visit = async (u: URL) => {
    let res;
    try {
      res = await safeFetch(u.href, opts.fetchPolicy, fetchOpts);
    } catch (err) {
      if (u.href === startUrl.href) startError = (err as Error).message;
      warn(`${u.href}: ${(err as Error).message}`);
      return;
    }
    if (res.status !== 200) {
      if (u.href === startUrl.href) startError = `${u.href} answered HTTP ${res.status}`;
      warn(`${u.href}: HTTP ${res.status}`);
      return;
    }
    const finalUrl = normaliseUrl(res.url) ?? u;
    if (fetchedUrls.has(finalUrl.href)) return; // two URLs redirecting to one page
    fetchedUrls.add(finalUrl.href);
    if (finalUrl.href !== u.href && !robotsOk(finalUrl)) {
      warn(`${u.href}: redirects to ${finalUrl.href}, disallowed by robots.txt`);
      return;
    }
    const type = res.contentType.split(';')[0]!.trim();
    const body = res.body.toString('utf8');
    if (type === 'text/html' || type === 'application/xhtml+xml' || (type === '' && /<html[\s>]/i.test(body))) {
      const page = htmlToText(body, finalUrl.href);
      if (u.href === startUrl.href) siteTitle = page.title || null;
      if (start.mode === 'site' && !page.nofollow)
        for (const l of page.links) {
          const lu = normaliseUrl(l);
          if (lu && queued.size < opts.maxPages * 5) enqueue(lu, finalUrl.href);
        }
      if (page.noindex) {
        warn(`${finalUrl.href}: the page asks not to be indexed (noindex)`);
        return;
      }
      if (page.text.trim()) pages.push({ url: finalUrl.href, title: page.title || finalUrl.pathname, text: page.text });
    } else if (type === 'text/plain' || type === 'text/markdown') {
      if (body.trim())
        pages.push({ url: finalUrl.href, title: finalUrl.pathname.split('/').pop() || finalUrl.hostname, text: body });
    } else warn(`${u.href}: ${type || 'unknown type'} is not a page, skipped`);
  };

  // robots.txt's Crawl-delay: one page at a time, that long between requests (bounded; the crawl deadline still holds).
  const crawlDelayMs =
    robots.crawlDelaySeconds && robots.crawlDelaySeconds > 0
      ? Math.min(robots.crawlDelaySeconds * 1000, opts.maxCrawlDelayMs ?? 10_000)
      : 0;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  let active = 0;
  const width = crawlDelayMs > 0 ? 1 : Math.max(1, opts.concurrency ?? 4);
  const workers = Array.from({ length: width }, async () => {
    for (;;) {
      if (signal.aborted) return;
      if (fetched >= opts.maxPages) return;
      const next = queue.shift();
      if (!next) {
        // Others may still add links: wait for one of them to finish, or stop when nobody is working.
        if (active === 0) return;
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      if (crawlDelayMs > 0 && fetched > 0) {
        await pause(crawlDelayMs);
        if (signal.aborted) {
          queue.unshift(next);
          return;
        }
      }
      fetched++;
      active++;
      try {
        await visit(next);
      } finally {
        active--;
      }
    }
  });
  await Promise.all(workers);

  if (signal.aborted && queue.length > 0) warn(`The crawl stopped at its time limit; ${queue.length} pages left out`);
  if (fetched >= opts.maxPages && queue.length > 0)
    warn(`The crawl stopped at ${opts.maxPages} pages (the limit); ${queue.length} more were found`);
  if (pages.length === 0) throw new CrawlFailedError(startError ?? 'No page of the site could be indexed');
  return { pages, warnings, siteTitle };
}
