import { isIP } from 'node:net';

/**
 * The client's address for rate limits. `X-Forwarded-For` is only believed when the operator says how many proxies
 * of their own sit in front of this service (TRUST_PROXY_HOPS): each proxy appends the address it received the
 * request from, so the client is the entry `hops` places from the right of [...X-Forwarded-For, socket address].
 * With 0 (the default) the header is ignored — anyone can send one. Entries a client forged are further left and
 * never reached; an invalid entry at the chosen place falls back to the socket address.
 */
export function clientIp(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedHops: number,
): string {
  const socketAddress = normalize(remoteAddress ?? '') ?? 'unknown';
  if (trustedHops <= 0 || forwardedFor === undefined) return socketAddress;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const chain = [
    ...header
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
    socketAddress,
  ];
  // More trusted hops than entries: the leftmost entry is as far as the chain goes.
  const picked = chain[Math.max(0, chain.length - 1 - trustedHops)]!;
  return normalize(picked) ?? socketAddress;
}

/** A bare IP (IPv4-mapped IPv6 as IPv4), or null when it is not one. */
function normalize(raw: string): string | null {
  const s = raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
  return isIP(s) ? s : null;
}

/**
 * The key an address is rate-limited under. An IPv4 address is its own key. An IPv6 client usually holds a whole
 * /64 (one subscriber's network; privacy extensions rotate through it freely), so keying on the full address would
 * give one abuser 2^64 budgets: IPv6 addresses are grouped by their /64 prefix. Anything that is not an IP is kept.
 */
export function rateLimitAddress(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const groups = expandIpv6(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

/** The 8 hextets of an IPv6 address (lower case, no leading zeros), or null when it cannot be parsed. */
function expandIpv6(ip: string): string[] | null {
  let s = ip.split('%')[0]!.toLowerCase();
  // A trailing dotted quad (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two hextets.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0) return null;
  const all = [...head, ...Array<string>(fill).fill('0'), ...tail];
  if (all.length !== 8) return null;
  return all.map((g) => parseInt(g || '0', 16).toString(16));
}
