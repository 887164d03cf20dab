import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/**
 * Serves the built widget at /widget/<file>. Only plain file names from the dist folder: no traversal, no listing.
 * A CDN would sit in front of this in production; the loader itself is short-cached so snippet updates propagate.
 */
export function createWidgetStatic(distDir: string, opts: { cache: boolean }) {
  const cache = new Map<string, Buffer>();
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/widget\/([A-Za-z0-9._-]+)$/.exec(url.pathname);
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const name = m[1]!;
    const ext = path.extname(name);
    const type = TYPES[ext];
    if (!type || name.startsWith('.')) return false;
    let body = cache.get(name);
    if (!body) {
      try {
        body = await readFile(path.join(distDir, name));
      } catch {
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end('widget file not found — build it with `pnpm --filter @pocketping/widget build`');
        return true;
      }
      if (opts.cache) cache.set(name, body);
    }
    res.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
      'cache-control': name === 'loader.js' ? 'public, max-age=300' : 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
