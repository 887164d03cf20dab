/**
 * robots.txt as RFC 9309 reads it: the group of our product token (else `*`), rules matched on path + query with
 * `*` and `$`, the longest matching rule wins, `Allow` on a tie. `Sitemap:` lines are collected.
 */

export const ROBOTS_AGENT = 'pocketpingbot';

interface TRule {
  allow: boolean;
  pattern: string;
  re: RegExp;
}

export interface TRobots {
  isAllowed(pathAndQuery: string): boolean;
  sitemaps: string[];
  /** `Crawl-delay` of the chosen group, in seconds (not in RFC 9309, but widely used); null when absent. */
  crawlDelaySeconds: number | null;
}

const ALLOW_ALL: TRobots = { isAllowed: () => true, sitemaps: [], crawlDelaySeconds: null };
const DISALLOW_ALL: TRobots = { isAllowed: (p) => p === '/robots.txt', sitemaps: [], crawlDelaySeconds: null };

export const robotsAllowAll = (): TRobots => ALLOW_ALL;
export const robotsDisallowAll = (): TRobots => DISALLOW_ALL;

function toRegExp(pattern: string): RegExp {
  const anchored = pattern.endsWith('$');
  const body = (anchored ? pattern.slice(0, -1) : pattern)
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}${anchored ? '$' : ''}`);
}

/** Percent-encodings are compared in one form: decoded where harmless, upper-case hex otherwise. */
function normalisePath(p: string): string {
  return p.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

type TGroup = { agents: string[]; rules: TRule[]; crawlDelay: number | null };

export function parseRobots(text: string, agent = ROBOTS_AGENT): TRobots {
  const groups: TGroup[] = [];
  const sitemaps: string[] = [];
  let current: TGroup | null = null;
  let lastWasAgent = false;
  // Parsers must read at least 500 KiB (RFC 9309 §2.5); more is ignored.
  for (const rawLine of text.slice(0, 512 * 1024).split(/\r\n|\r|\n/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: [], crawlDelay: null };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (key === 'sitemap') {
      if (value) sitemaps.push(value);
      continue;
    }
    if (key === 'crawl-delay' && current) {
      const seconds = Number(value);
      if (value && Number.isFinite(seconds) && seconds >= 0 && current.crawlDelay === null)
        current.crawlDelay = seconds;
      continue;
    }
    if ((key === 'allow' || key === 'disallow') && current) {
      if (!value) continue; // "Disallow:" with nothing disallows nothing
      const pattern = normalisePath(value);
      current.rules.push({ allow: key === 'allow', pattern, re: toRegExp(pattern) });
    }
  }
  const ours = groups.filter((g) => g.agents.some((a) => a !== '*' && agent.includes(a)));
  const chosen = ours.length > 0 ? ours : groups.filter((g) => g.agents.includes('*'));
  const rules = chosen.flatMap((g) => g.rules);
  const delays = chosen.map((g) => g.crawlDelay).filter((d): d is number => d !== null);
  return {
    sitemaps,
    crawlDelaySeconds: delays.length > 0 ? Math.max(...delays) : null,
    isAllowed(pathAndQuery) {
      const path = normalisePath(pathAndQuery || '/');
      if (path === '/robots.txt') return true;
      let best: TRule | null = null;
      for (const r of rules) {
        if (!r.re.test(path)) continue;
        if (
          !best ||
          r.pattern.length > best.pattern.length ||
          (r.pattern.length === best.pattern.length && r.allow && !best.allow)
        )
          best = r;
      }
      return best ? best.allow : true;
    },
  };
}
