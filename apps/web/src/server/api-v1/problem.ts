import { z } from 'zod';
import { AppError, ERROR_CODES, toAppError, type TErrorCode } from '@pocketping/core';

/**
 * The one error shape of /api/v1: `application/problem+json` with a stable machine-readable `code`. The codes are the
 * AppError codes, plus the API's own refinements below (each maps to the status of its base code).
 */
export const API_PROBLEM_CODES = {
  bad_request: 400,
  invalid_cursor: 400,
  unauthorized: 401,
  forbidden: 403,
  insufficient_scope: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_in_progress: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  idempotency_key_reused: 422,
  search_timeout: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type TApiProblemCode = keyof typeof API_PROBLEM_CODES;

const TITLES: Record<TApiProblemCode, string> = {
  bad_request: 'Invalid request',
  invalid_cursor: 'Invalid cursor',
  unauthorized: 'Missing or invalid API key',
  forbidden: 'Forbidden',
  insufficient_scope: 'The API key lacks the scope this needs',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  idempotency_in_progress: 'A request with this Idempotency-Key is still running',
  payload_too_large: 'Request body too large',
  unsupported_media_type: 'Send JSON',
  unprocessable: 'Unprocessable request',
  idempotency_key_reused: 'Idempotency-Key reused with a different request',
  search_timeout: 'The search took too long',
  rate_limited: 'Too many requests',
  internal: 'Internal error',
  unavailable: 'Service unavailable',
};

export const ZProblem = z
  .object({
    type: z.string().describe('A URN naming the problem: urn:pocketping:problem:<code>.'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(API_PROBLEM_CODES) as [TApiProblemCode, ...TApiProblemCode[]]),
    requestId: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('For bad_request: each invalid field, by path.'),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'Problem' });
export type TProblem = z.infer<typeof ZProblem>;

/** An error of the API with one of its own codes (an AppError of the base code, the API code in `details.apiCode`). */
export function apiProblem(code: TApiProblemCode, message: string, details?: Record<string, unknown>): AppError {
  const status = API_PROBLEM_CODES[code];
  const base = ((Object.keys(ERROR_CODES) as TErrorCode[]).find((c) => ERROR_CODES[c] === status) ??
    'bad_request') as TErrorCode;
  return new AppError(base, message, { ...details, apiCode: code, status });
}

export function toProblem(err: unknown, requestId: string): TProblem {
  const e = toAppError(err);
  const details = (e.details && typeof e.details === 'object' ? e.details : {}) as Record<string, unknown>;
  const {
    apiCode,
    status: apiStatus,
    issues,
    ...rest
  } = details as {
    apiCode?: TApiProblemCode;
    status?: number;
    issues?: { path: string; message: string }[];
  } & Record<string, unknown>;
  const code: TApiProblemCode = apiCode ?? (e.code in API_PROBLEM_CODES ? (e.code as TApiProblemCode) : 'internal');
  const status = apiStatus ?? e.status;
  return {
    type: `urn:pocketping:problem:${code}`,
    title: TITLES[code],
    status,
    detail: e.message,
    code,
    requestId,
    ...(issues ? { errors: issues } : {}),
    ...(Object.keys(rest).length > 0 ? { details: rest } : {}),
  };
}

export function problemResponse(problem: TProblem, headers: Headers): Response {
  // Every 429 says when to come back (the per-key limit sets it with its RateLimit-* headers; the others here).
  const retryAfter = problem.details?.retryAfterSeconds;
  if (problem.status === 429 && typeof retryAfter === 'number' && !headers.has('retry-after'))
    headers.set('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  headers.set('content-type', 'application/problem+json');
  headers.set('cache-control', 'no-store');
  return new Response(JSON.stringify(problem), { status: problem.status, headers });
}
