import { NextRequest, NextResponse } from 'next/server';
import { readBodyWithLimit, toAppError } from '@pocketping/core';

/**
 * Bodies of the routes outside the tenancy wrapper (webhooks, Auth.js) go through the shared size-limited reader
 * too; a refusal becomes the same JSON error the wrapper answers (413 past the limit), ready to return.
 */
export async function readRawBody(
  req: Request,
  limit: number,
): Promise<{ ok: true; body: Buffer } | { ok: false; response: NextResponse }> {
  try {
    return { ok: true, body: await readBodyWithLimit(req, limit) };
  } catch (err) {
    const e = toAppError(err);
    return {
      ok: false,
      response: NextResponse.json(
        { error: e.toJSON() },
        { status: e.status, headers: e.code === 'payload_too_large' ? { connection: 'close' } : {} },
      ),
    };
  }
}

/**
 * Wraps a handler that reads its body on its own (Auth.js reads forms with `req.formData()`/`req.text()`, which
 * buffer whatever arrives, signed in or not): the body is read through the size-limited reader first and handed on
 * already in memory; past `limit` the handler is never called and the answer is 413.
 */
export function withBodyLimit(
  handler: (req: NextRequest) => Promise<Response>,
  limit: number,
): (req: NextRequest) => Promise<Response> {
  return async (req) => {
    const read = await readRawBody(req, limit);
    if (!read.ok) return read.response;
    const headers = new Headers(req.headers);
    headers.delete('transfer-encoding');
    headers.set('content-length', String(read.body.length));
    return handler(new NextRequest(req.url, { method: req.method, headers, body: new Uint8Array(read.body) }));
  };
}
