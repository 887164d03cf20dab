import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { createLocalStorage } from './local-storage.js';
import { createS3Storage } from './s3-storage.js';
import type { TStorage } from './storage.js';

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A minimal S3 endpoint on 127.0.0.1 speaking the REST wire format the SDK uses with path-style URLs:
 * PUT/GET/DELETE /<bucket>/<key>, a 404 `NoSuchKey` XML error, SigV4 Authorization required.
 */
function startFakeS3(): Promise<{ server: Server; url: string; objects: Map<string, { body: Buffer; type: string; meta: Record<string, string> }>; auth: string[] }> {
  const objects = new Map<string, { body: Buffer; type: string; meta: Record<string, string> }>();
  const auth: string[] = [];
  const server = createServer((req, res) => {
    auth.push(String(req.headers.authorization ?? ''));
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=AKIDTEST/')) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code><Message>no</Message></Error>');
      return;
    }
    const key = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'PUT') {
        const meta: Record<string, string> = {};
        for (const [h, v] of Object.entries(req.headers)) if (h.startsWith('x-amz-meta-')) meta[h.slice(11)] = String(v);
        objects.set(key, { body: Buffer.concat(chunks), type: String(req.headers['content-type']), meta });
        res.writeHead(200, { etag: '"x"' }).end();
      } else if (req.method === 'GET') {
        const o = objects.get(key);
        if (!o) {
          res.writeHead(404, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
          return;
        }
        res.writeHead(200, { 'content-type': o.type, 'content-length': o.body.length }).end(o.body);
      } else if (req.method === 'DELETE') {
        objects.delete(key);
        res.writeHead(204).end();
      } else res.writeHead(405).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, objects, auth })));
}

function behavesLikeStorage(name: string, make: () => TStorage) {
  describe(name, () => {
    it('stores, reads back and deletes bytes', async () => {
      const s = make();
      const body = Buffer.from('hello attachment \u00e9');
      await s.put('org1/conv1/file1', body, { contentType: 'text/plain; charset=utf-8', sha256: 'abc' });
      const got = await s.get('org1/conv1/file1');
      expect(got).not.toBeNull();
      expect(got!.size).toBe(body.length);
      expect((await readAll(got!.body)).equals(body)).toBe(true);
      await s.delete('org1/conv1/file1');
      expect(await s.get('org1/conv1/file1')).toBeNull();
    });
    it('answers null for a missing key', async () => {
      expect(await make().get('org1/none/nothing')).toBeNull();
    });
    it('refuses keys that could escape their folder', async () => {
      const s = make();
      for (const bad of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a/b.c', '']) {
        await expect(s.put(bad, Buffer.from('x'), { contentType: 'text/plain', sha256: 'x' })).rejects.toThrow(/invalid storage key/);
      }
    });
  });
}

let dir: string;
let s3: Awaited<ReturnType<typeof startFakeS3>>;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pp-storage-'));
  s3 = await startFakeS3();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await new Promise((r) => s3.server.close(r));
});

behavesLikeStorage('local storage', () => createLocalStorage(dir));
behavesLikeStorage('S3 storage (official SDK against an S3-compatible endpoint)', () =>
  createS3Storage({ bucket: 'pp-files', region: 'us-east-1', endpoint: s3.url, accessKeyId: 'AKIDTEST', secretAccessKey: 'secret', keyPrefix: 'attachments' }),
);

describe('S3 storage wire details', () => {
  it('puts objects path-style under the key prefix with content type and checksum metadata, signed with SigV4', async () => {
    const s = createS3Storage({ bucket: 'pp-files', region: 'us-east-1', endpoint: s3.url, accessKeyId: 'AKIDTEST', secretAccessKey: 'secret', keyPrefix: 'attachments' });
    await s.put('o/c/k', Buffer.from('%PDF-1.4'), { contentType: 'application/pdf', sha256: 'deadbeef' });
    const o = s3.objects.get('/pp-files/attachments/o/c/k');
    expect(o?.type).toBe('application/pdf');
    expect(o?.meta.sha256).toBe('deadbeef');
    expect(s3.auth.at(-1)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/s3\/aws4_request/);
  });
  it('surfaces a refused request as an error, not as a missing file', async () => {
    const s = createS3Storage({ bucket: 'pp-files', region: 'us-east-1', endpoint: s3.url, accessKeyId: 'WRONG', secretAccessKey: 'secret' });
    await expect(s.get('o/c/k')).rejects.toThrow();
  });
});
