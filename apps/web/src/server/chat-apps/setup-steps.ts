import { NextResponse } from 'next/server';
import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { CHAT_APPS, type TBridgeKind, type TSetupStep } from '@pocketping/bridges';
import { hitRateLimit } from '../rate-limit';
import { orgRoute, parseWith, scopedProject, type TRouteHandler } from '../tenancy';
import { ZProjectParams } from './params';
import { chatAppRoom } from '../billing/chat-app-guard';
import { setupPortsOf } from './setup-ports';

/** Path params of /api/app/orgs/:orgId/projects/:projectId/bridges/setup/:kind[/:step]. */
const ZSetupParams = ZProjectParams.extend({
  kind: z.string().min(1).max(32),
  step: z.array(z.string().min(1).max(64)).max(1).optional(),
});

/** The chat app's dashboard step named by the URL, for this method, or null. */
export function findSetupStep(kind: string, step: readonly string[], method: 'GET' | 'POST'): TSetupStep | null {
  if (!Object.hasOwn(CHAT_APPS, kind) || step.length > 1) return null;
  const steps = CHAT_APPS[kind as TBridgeKind].setup.steps;
  const name = step[0] ?? '';
  if (!Object.hasOwn(steps, name)) return null;
  const found = steps[name]!;
  return found.method === method ? found : null;
}

/**
 * The one route of every chat app's dashboard setup: the tenancy wrapper (member with the admin role), then the
 * step the chat app's folder declares — its input validated (400 naming the field), the project checked to be the
 * organization's, its per-user rate limit — run with the web app's setup ports.
 */
export function setupStepRoute(method: 'GET' | 'POST'): TRouteHandler {
  return orgRoute(
    { role: 'admin', params: ZSetupParams, body: z.unknown() },
    async ({ req, origin, app, organizationId, params, user, body }) => {
      const step = findSetupStep(params.kind, params.step ?? [], method);
      if (!step) throw new AppError('not_found', 'Not found.');
      const input =
        method === 'GET'
          ? parseWith(step.input, Object.fromEntries(new URL(req.url).searchParams), 'query')
          : parseWith(step.input, body, 'body');
      const project = await scopedProject(app, organizationId, params.projectId);
      if (step.opensSetup) {
        const room = await chatAppRoom(app, organizationId, project.id);
        if (room.full && step.opensSetup === 'json') throw new AppError('forbidden', room.message, room.details);
        if (room.full) {
          const back = new URL(`/app/o/${organizationId}/p/${project.id}/bridges`, app.env.WEB_PUBLIC_URL);
          back.searchParams.set(`${params.kind}Error`, room.message);
          return NextResponse.redirect(back, 302);
        }
      }
      if (step.rateLimit)
        await hitRateLimit(step.rateLimit.bucket, user.id, step.rateLimit.max, step.rateLimit.windowSeconds);
      const answer = await step.run(
        setupPortsOf(app, origin),
        { organizationId, projectId: project.id, userId: user.id },
        input,
      );
      if ('redirect' in answer) return NextResponse.redirect(answer.redirect, 302);
      return answer.json as Record<string, unknown>;
    },
  );
}
