import { randomToken } from '@pocketping/core';
import { problemResponse, toProblem } from './problem';
import { apiProblem } from './problem';

/** What an /api/v1 path that names no operation answers: the API's own 404, as problem+json. */
export async function notFoundProblem(req: Request): Promise<Response> {
  const requestId = `req_${randomToken('', 12)}`;
  const path = new URL(req.url).pathname;
  return problemResponse(
    toProblem(apiProblem('not_found', `No operation at ${req.method} ${path}. See /api/v1/openapi.json.`), requestId),
    new Headers({ 'x-request-id': requestId }),
  );
}
