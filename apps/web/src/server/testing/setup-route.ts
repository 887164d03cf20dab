import { GET, POST } from '../../app/api/app/orgs/[orgId]/projects/[projectId]/bridges/setup/[kind]/[[...step]]/route';

type THandler = (req: Request, segment: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

/**
 * One chat app's setup step as a route module ({GET, POST}), for tests that call handlers in-process: the catch-all
 * setup route with the kind and step Next would read from /bridges/setup/<kind>[/<step>].
 */
export function setupRoute(kind: string, step?: string): { GET: THandler; POST: THandler } {
  const bind =
    (handler: THandler): THandler =>
    (req, segment) =>
      handler(req, {
        params: segment.params.then((p) => ({ ...p, kind, ...(step ? { step: [step] } : {}) })),
      });
  return { GET: bind(GET), POST: bind(POST) };
}
