import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, toAppError } from '@pocketping/core';
import { ackError } from '../widget/handle.js';

/** JSON answer; error bodies have the same `{ok:false, error:{code,message}}` shape as socket acks. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(json);
}

export function sendError(
  res: ServerResponse,
  err: unknown,
  headers: Record<string, string> = {},
  status?: number,
): void {
  const e = err instanceof AppError ? err : toAppError(err);
  sendJson(res, status ?? e.status, ackError(e), headers);
}

/** CORS for the widget's HTTP endpoints: the caller's Origin is echoed (it is checked against the project later). */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
}
