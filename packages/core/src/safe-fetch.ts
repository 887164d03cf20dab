import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Server-side fetching of URLs a customer gave us (their site and sitemap for the AI's knowledge, their outbound
 * webhook endpoints). A URL must never make us reach our
 * own network: the host is resolved ONCE, every address it resolves to is checked against the private ranges, and
 * the connection goes to the checked address (a custom `lookup`, so no second resolution can return something else —
 * DNS rebinding). Every redirect is a new URL and goes through the same checks. Bounded in time and size.
 */

export type TFetchRefusal =
  | 'bad_url'
  | 'private_address'
  | 'dns_failed'
  | 'too_many_redirects'
  | 'redirect_refused'
  | 'redirect'
  | 'too_large'
  | 'timeout'
  | 'network';

export class FetchRefusedError extends Error {
  constructor(
    readonly reason: TFetchRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'FetchRefusedError';
  }
}

export interface TResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type TResolveHost = (hostname: string) => Promise<TResolvedAddress[]>;

export interface TFetchPolicy {
  /** Private addresses that may be fetched anyway (IPs or CIDR subnets): local development and tests only. */
  allow: readonly string[];
  /** DNS resolution (default: the system resolver, every address). Tests pass their own. */
  resolve?: TResolveHost;
  /** Whole request, redirects included (default 10 s). */
  timeoutMs?: number;
  /** Largest body read (default 2 MB); past it the fetch fails with `too_large`. */
  maxBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
}

export interface TFetchResult {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  contentType: string;
  body: Buffer;
}

export const KNOWLEDGE_USER_AGENT = 'PocketPingBot/1.0 (+knowledge crawler; honours robots.txt)';

/** Ranges no customer URL may reach: loopback, private, CGNAT, link-local, ULA, multicast, documentation, … */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64: reaches IPv4 addresses through a gateway
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32], // Teredo
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fc00::', 7], // unique local (ULA)
  ['fe80::', 10], // link-local
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');

/** `::ffff:10.0.0.1` (and its hex form) is an IPv4 address: check it as one. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return { address: dotted[1]!, family: 'ipv4' };
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { address, family: isIP(address) === 4 ? 'ipv4' : 'ipv6' };
}

/** Parses the allowlist (IPs and CIDR subnets); an entry that is neither is an error, never silently ignored. */
export function createAllowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const [net, bits] = raw.trim().split('/');
    const family = isIP(net ?? '');
    if (!net || family === 0) throw new Error(`Not an IP address or subnet: ${raw}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(net, type);
    else {
      const n = Number(bits);
      if (!Number.isInteger(n) || n < 0 || n > (family === 4 ? 32 : 128)) throw new Error(`Bad prefix length: ${raw}`);
      list.addSubnet(net, n, type);
    }
  }
  return list;
}

/** True when `address` is in a range a customer URL may not reach (and not in the allowlist). */
export function isForbiddenAddress(address: string, allow: BlockList = new BlockList()): boolean {
  const a = unmapped(address);
  if (isIP(a.address) === 0) return true;
  if (allow.check(a.address, a.family) || allow.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6')) return false;
  return BLOCKED.check(a.address, a.family);
}

const systemResolve: TResolveHost = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((r) => ({
    address: r.address,
    family: r.family === 6 ? 6 : 4,
  }));

/** Checks a URL for fetching and resolves it: the address to connect to, or a refusal. */
async function resolveChecked(url: URL, allow: BlockList, resolve: TResolveHost): Promise<TResolvedAddress> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FetchRefusedError('bad_url', `Only http and https URLs can be fetched (${url.protocol})`);
  if (url.username || url.password) throw new FetchRefusedError('bad_url', 'URLs with credentials are not fetched');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: TResolvedAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      throw new FetchRefusedError('dns_failed', `${host} does not resolve (${(err as Error).message})`);
    }
  }
  if (addresses.length === 0) throw new FetchRefusedError('dns_failed', `${host} does not resolve`);
  // Every address: a name that resolves to one public and one private address is refused, whichever comes first.
  const bad = addresses.find((a) => isForbiddenAddress(a.address, allow));
  if (bad)
    throw new FetchRefusedError(
      'private_address',
      `${host} resolves to a private or reserved address (${bad.address})`,
    );
  return addresses[0]!;
}

/** A `lookup` that answers with the address already checked, whatever Node asks (all or one). */
function pinnedLookup(pinned: TResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
}

interface TRequestOptions {
  signal: AbortSignal;
  maxBytes: number;
  userAgent: string;
  accept: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: Buffer | null;
  /** Past maxBytes: keep the first maxBytes and stop reading (true), or fail with `too_large` (false). */
  truncate: boolean;
}

function requestOnce(
  url: URL,
  pinned: TResolvedAddress,
  opts: TRequestOptions,
): Promise<{ status: number; location: string | null; contentType: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(
      url,
      {
        method: opts.method,
        lookup: pinnedLookup(pinned),
        signal: opts.signal,
        headers: {
          ...opts.headers,
          'user-agent': opts.userAgent,
          accept: opts.accept,
          'accept-encoding': 'identity',
          ...(opts.body ? { 'content-length': String(opts.body.length) } : {}),
        },
        // No connection reuse: a kept-alive socket would skip the pinned lookup of the next request.
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = typeof res.headers.location === 'string' ? res.headers.location : null;
        const contentType = String(res.headers['content-type'] ?? '').toLowerCase();
        if (status >= 300 && status < 400 && location) {
          res.resume();
          resolve({ status, location, contentType, body: Buffer.alloc(0) });
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (!opts.truncate && Number.isFinite(declared) && declared > opts.maxBytes) {
          res.destroy();
          reject(new FetchRefusedError('too_large', `${url.href} is larger than ${opts.maxBytes} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > opts.maxBytes) {
            res.destroy();
            if (opts.truncate) {
              chunks.push(c.subarray(0, c.length - (size - opts.maxBytes)));
              resolve({ status, location: null, contentType, body: Buffer.concat(chunks) });
              return;
            }
            reject(new FetchRefusedError('too_large', `${url.href} is larger than ${opts.maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status, location: null, contentType, body: Buffer.concat(chunks) }));
        res.on('error', (err) => reject(err));
      },
    );
    req.on('error', reject);
    req.end(opts.body ?? undefined);
  });
}

/**
 * GET `url` under `policy`. `allowRedirect` decides whether a redirect target is acceptable at all (the crawler:
 * same site only); the target then goes through the address checks like the first URL. Throws FetchRefusedError.
 */
export async function safeFetch(
  rawUrl: string,
  policy: TFetchPolicy,
  opts: {
    accept?: string;
    /** Decides whether a redirect target may be followed at all; `false` follows none (`redirect` refusal). */
    allowRedirect?: ((to: URL) => boolean) | false;
    signal?: AbortSignal;
    /** POST this body (with these headers) instead of a GET. A POST never follows a redirect. */
    post?: { body: Buffer; headers: Record<string, string> };
    /** Keep only the first `maxBytes` of the answer instead of failing (a receiver's answer, kept as an excerpt). */
    truncate?: boolean;
  } = {},
): Promise<TFetchResult> {
  const allow = createAllowList(policy.allow);
  const resolve = policy.resolve ?? systemResolve;
  const maxRedirects = policy.maxRedirects ?? 5;
  const timeoutMs = policy.timeoutMs ?? 10_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new FetchRefusedError('bad_url', `Not a URL: ${rawUrl.slice(0, 200)}`);
  }
  for (let hop = 0; ; hop++) {
    const pinned = await resolveChecked(url, allow, resolve);
    let res;
    try {
      res = await requestOnce(url, pinned, {
        signal,
        maxBytes: policy.maxBytes ?? 2 * 1024 * 1024,
        userAgent: policy.userAgent ?? KNOWLEDGE_USER_AGENT,
        accept: opts.accept ?? 'text/html,text/plain,text/markdown;q=0.9,*/*;q=0.1',
        method: opts.post ? 'POST' : 'GET',
        headers: opts.post?.headers ?? {},
        body: opts.post?.body ?? null,
        truncate: opts.truncate ?? false,
      });
    } catch (err) {
      if (err instanceof FetchRefusedError) throw err;
      if (timeout.aborted) throw new FetchRefusedError('timeout', `${url.href} did not answer within ${timeoutMs} ms`);
      throw new FetchRefusedError('network', `${url.href}: ${(err as Error).message}`);
    }
    if (res.location === null)
      return { url: url.href, status: res.status, contentType: res.contentType, body: res.body };
    // A POST is never replayed at another address (its body would go somewhere nobody checked it should go).
    if (opts.post || opts.allowRedirect === false)
      throw new FetchRefusedError('redirect', `${url.href} answered ${res.status}, a redirect (not followed)`);
    if (hop >= maxRedirects)
      throw new FetchRefusedError('too_many_redirects', `${rawUrl}: more than ${maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(res.location, url);
    } catch {
      throw new FetchRefusedError('bad_url', `${url.href} redirects to an invalid URL`);
    }
    if (opts.allowRedirect && !opts.allowRedirect(next))
      throw new FetchRefusedError('redirect_refused', `${url.href} redirects off the site (${next.href})`);
    url = next;
  }
}
