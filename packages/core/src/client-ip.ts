import { isIP } from 'node:net';

/**
 * The client's address for rate limits. `X-Forwarded-For` is only believed when the operator says how many proxies
 * of their own sit in front of this service (TRUST_PROXY_HOPS): each proxy appends the address it received the
 * request from, so the client is the entry `hops` places from the right of [...X-Forwarded-For, socket address].
 * With 0 (the default) the header is ignored — anyone can send one. Entries a client forged are further left and
 * never reached; an invalid entry at the chosen place falls back to the socket address.
 */
export function clientIp(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedHops: number): string {
  const socketAddress = normalize(remoteAddress ?? '') ?? 'unknown';
  if (trustedHops <= 0 || forwardedFor === undefined) return socketAddress;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const chain = [...header.split(',').map((s) => s.trim()).filter((s) => s.length > 0), socketAddress];
  // More trusted hops than entries: the leftmost entry is as far as the chain goes.
  const picked = chain[Math.max(0, chain.length - 1 - trustedHops)]!;
  return normalize(picked) ?? socketAddress;
}

/** A bare IP (IPv4-mapped IPv6 as IPv4), or null when it is not one. */
function normalize(raw: string): string | null {
  const s = raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
  return isIP(s) ? s : null;
}
