import type { TAuditOrigin } from '@pocketping/db';
import { clientIp } from './rate-limit';

/** Where a request came from, for its audit entries: the client address (TRUST_PROXY_HOPS rule) and User-Agent. */
export function requestOrigin(req: Request): TAuditOrigin {
  return { ip: clientIp(req.headers), userAgent: req.headers.get('user-agent')?.slice(0, 256) || null };
}
