/**
 * Reads a request body as UTF-8, giving up (null) as soon as it exceeds `limit` bytes. `req.text()` would buffer
 * the whole body first, and a chunked request carries no Content-Length to check beforehand.
 */
export async function readBodyWithLimit(req: Request, limit: number): Promise<string | null> {
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
