// GET /widget/boot?key=<projectKey> — what the loader asks once per browser session, on page view, before any chat
// is opened: the launcher's appearance (so a first visit shows the owner's colour and side, not the defaults) and,
// on the way, onboarding's "installation detected" (a page with the snippet was viewed on an allowed origin).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, clientIp, rateLimitAddress } from '@pocketping/core';
import { findUnstorableString } from '@pocketping/db';
import { ZWidgetAuth, parseProjectSettings, type TWidgetBoot } from '@pocketping/protocol';
import type { TRealtimeContext } from '../context.js';
import { isOriginAllowed } from '../widget/origin.js';
import { corsHeaders, sendError, sendJson } from './respond.js';

/** Page views per address and minute; the loader asks once per browser session, so only a script gets near it. */
export const IP_BOOT_LIMIT = { limit: 120, windowSec: 60 } as const;
/** The browser may reuse an answer this long: appearance changes show within minutes, without re-pasting. */
const BOOT_MAX_AGE_S = 300;

export function createBootRoute(
  ctx: TRealtimeContext,
  recordInstallation: (organizationId: string, projectId: string) => void,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const cors = corsHeaders(req);
    if (req.method !== 'GET') {
      sendJson(res, 405, { ok: false, error: { code: 'bad_request', message: 'Use GET' } }, { ...cors, allow: 'GET' });
      return;
    }
    try {
      const ip = rateLimitAddress(
        clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], ctx.trustProxyHops),
      );
      if (
        (await ctx.limiter.hitAll([
          { key: `boot:ip:${ip}`, limit: IP_BOOT_LIMIT.limit, windowSec: IP_BOOT_LIMIT.windowSec },
        ])) === 0
      ) {
        throw new AppError('rate_limited', 'Too many requests from this address; slow down', {
          retryAfterSec: IP_BOOT_LIMIT.windowSec,
        });
      }
      const key = ZWidgetAuth.shape.projectKey.safeParse(new URL(req.url ?? '/', 'http://x').searchParams.get('key'));
      // A NUL cannot even be compared by Postgres (a 500 at the lookup): such a key is malformed, like a missing one.
      if (!key.success || findUnstorableString(key.data) !== null)
        throw new AppError('bad_request', 'The key parameter (the project key of the snippet) is required');
      const project = await ctx.projectByKey(key.data);
      if (!project) throw new AppError('unauthorized', 'Unknown project key');
      const origin = req.headers.origin;
      if (!isOriginAllowed(origin, project.allowedOrigins))
        throw new AppError('forbidden', `Origin ${origin ?? '(none)'} is not allowed for this project`);
      recordInstallation(project.organizationId, project.id); // fire and forget, throttled per project
      const s = parseProjectSettings(project.settings);
      const body: TWidgetBoot = {
        ok: true,
        appearance: { color: s.color, position: s.position, language: s.language },
      };
      sendJson(res, 200, body, { ...cors, 'cache-control': `private, max-age=${BOOT_MAX_AGE_S}` });
    } catch (err) {
      sendError(res, err, cors);
    }
  };
}
