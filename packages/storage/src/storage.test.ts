import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
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
function startFakeS3(): Promise<{
  server: Server;
  url: string;
  objects: Map<string, { body: Buffer; type: string; meta: Record<string, string> }>;
  auth: string[];
  uploads: Map<string, { key: string; type: string; parts: Map<number, Buffer> }>;
  partSizes: number[];
}> {
  const objects = new Map<string, { body: Buffer; type: string; meta: Record<string, string> }>();
  // Multipart uploads in progress: CreateMultipartUpload (POST ?uploads), UploadPart (PUT ?partNumber&uploadId),
  // CompleteMultipartUpload (POST ?uploadId), AbortMultipartUpload (DELETE ?uploadId).
  const uploads = new Map<string, { key: string; type: string; parts: Map<number, Buffer> }>();
  const partSizes: number[] = [];
  const auth: string[] = [];
  let nextUpload = 0;
  const server = createServer((req, res) => {
    auth.push(String(req.headers.authorization ?? ''));
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=AKIDTEST/')) {
      res
        .writeHead(403, { 'content-type': 'application/xml' })
        .end('<Error><Code>AccessDenied</Code><Message>no</Message></Error>');
      return;
    }
    const u = new URL(req.url ?? '/', 'http://x');
    const key = decodeURIComponent(u.pathname);
    const uploadId = u.searchParams.get('uploadId');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const xml = (body: string) =>
        res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
      if (req.method === 'POST' && u.searchParams.has('uploads')) {
        const id = `up${++nextUpload}`;
        uploads.set(id, { key, type: String(req.headers['content-type']), parts: new Map() });
        xml(
          `<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
        );
      } else if (req.method === 'PUT' && uploadId) {
        const up = uploads.get(uploadId);
        if (!up)
          return void res
            .writeHead(404, { 'content-type': 'application/xml' })
            .end('<Error><Code>NoSuchUpload</Code><Message>no</Message></Error>');
        const body = Buffer.concat(chunks);
        partSizes.push(body.length);
        up.parts.set(Number(u.searchParams.get('partNumber')), body);
        res.writeHead(200, { etag: `"p${u.searchParams.get('partNumber')}"` }).end();
      } else if (req.method === 'POST' && uploadId) {
        const up = uploads.get(uploadId);
        if (!up)
          return void res
            .writeHead(404, { 'content-type': 'application/xml' })
            .end('<Error><Code>NoSuchUpload</Code><Message>no</Message></Error>');
        const order = [...up.parts.keys()].sort((a, b) => a - b);
        objects.set(up.key, { body: Buffer.concat(order.map((n) => up.parts.get(n)!)), type: up.type, meta: {} });
        uploads.delete(uploadId);
        xml(
          `<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>${up.key}</Key><ETag>"done"</ETag></CompleteMultipartUploadResult>`,
        );
      } else if (req.method === 'DELETE' && uploadId) {
        uploads.delete(uploadId);
        res.writeHead(204).end();
      } else if (req.method === 'PUT') {
        const meta: Record<string, string> = {};
        for (const [h, v] of Object.entries(req.headers))
          if (h.startsWith('x-amz-meta-')) meta[h.slice(11)] = String(v);
        objects.set(key, { body: Buffer.concat(chunks), type: String(req.headers['content-type']), meta });
        res.writeHead(200, { etag: '"x"' }).end();
      } else if (req.method === 'GET') {
        const o = objects.get(key);
        if (!o) {
          res
            .writeHead(404, { 'content-type': 'application/xml' })
            .end(
              '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
            );
          return;
        }
        res.writeHead(200, { 'content-type': o.type, 'content-length': o.body.length }).end(o.body);
      } else if (req.method === 'DELETE') {
        objects.delete(key);
        res.writeHead(204).end();
      } else res.writeHead(405).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        objects,
        auth,
        uploads,
        partSizes,
      }),
    ),
  );
}

/** `total` bytes in chunks of `chunk`, with byte i = i % 251 (so order and completeness are checked). */
function patterned(total: number, chunk = 64 * 1024): { stream: Readable; bytes: Buffer } {
  const bytes = Buffer.alloc(total);
  for (let i = 0; i < total; i++) bytes[i] = i % 251;
  return {
    stream: Readable.from(
      (function* () {
        for (let at = 0; at < total; at += chunk) yield bytes.subarray(at, Math.min(total, at + chunk));
      })(),
    ),
    bytes,
  };
}

/** A stream that fails after `after` bytes (a client gone, a limit passed upstream). */
function failingAfter(after: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= after) {
        this.destroy(new Error('client went away'));
        return;
      }
      sent += 64 * 1024;
      this.push(Buffer.alloc(64 * 1024, 0x41));
    },
  });
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
    it('stores a stream (several S3 parts long) and reads back the same bytes', async () => {
      const s = make();
      const { stream, bytes } = patterned(12 * 1024 * 1024 + 123);
      expect(await s.putStream('org1/conv1/streamed', stream, { contentType: 'application/pdf' })).toEqual({
        size: bytes.length,
      });
      const got = await s.get('org1/conv1/streamed');
      expect((await readAll(got!.body)).equals(bytes)).toBe(true);
      await s.delete('org1/conv1/streamed');
    });
    it('leaves nothing behind when the stream fails half-way', async () => {
      const s = make();
      await expect(
        s.putStream('org1/conv1/broken', failingAfter(7 * 1024 * 1024), { contentType: 'application/pdf' }),
      ).rejects.toThrow(/client went away/);
      expect(await s.get('org1/conv1/broken')).toBeNull();
    });
    it('answers null for a missing key', async () => {
      expect(await make().get('org1/none/nothing')).toBeNull();
    });
    it('refuses keys that could escape their folder', async () => {
      const s = make();
      for (const bad of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a/b.c', '']) {
        await expect(s.put(bad, Buffer.from('x'), { contentType: 'text/plain', sha256: 'x' })).rejects.toThrow(
          /invalid storage key/,
        );
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
  createS3Storage({
    bucket: 'pp-files',
    region: 'us-east-1',
    endpoint: s3.url,
    accessKeyId: 'AKIDTEST',
    secretAccessKey: 'secret',
    keyPrefix: 'attachments',
  }),
);

describe('S3 storage wire details', () => {
  it('puts objects path-style under the key prefix with content type and checksum metadata, signed with SigV4', async () => {
    const s = createS3Storage({
      bucket: 'pp-files',
      region: 'us-east-1',
      endpoint: s3.url,
      accessKeyId: 'AKIDTEST',
      secretAccessKey: 'secret',
      keyPrefix: 'attachments',
    });
    await s.put('o/c/k', Buffer.from('%PDF-1.4'), { contentType: 'application/pdf', sha256: 'deadbeef' });
    const o = s3.objects.get('/pp-files/attachments/o/c/k');
    expect(o?.type).toBe('application/pdf');
    expect(o?.meta.sha256).toBe('deadbeef');
    expect(s3.auth.at(-1)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/s3\/aws4_request/);
  });
  it('surfaces a refused request as an error, not as a missing file', async () => {
    const s = createS3Storage({
      bucket: 'pp-files',
      region: 'us-east-1',
      endpoint: s3.url,
      accessKeyId: 'WRONG',
      secretAccessKey: 'secret',
    });
    await expect(s.get('o/c/k')).rejects.toThrow();
  });
});

describe('S3 streamed uploads', () => {
  it('sends a long stream as parts of the configured size, never the whole body at once, and aborts a failed one', async () => {
    const s = createS3Storage({
      bucket: 'pp-files',
      region: 'us-east-1',
      endpoint: s3.url,
      accessKeyId: 'AKIDTEST',
      secretAccessKey: 'secret',
    });
    s3.partSizes.length = 0;
    const { stream, bytes } = patterned(11 * 1024 * 1024);
    await s.putStream('o/c/parts', stream, { contentType: 'application/pdf' });
    expect(s3.partSizes).toEqual([5 * 1024 * 1024, 5 * 1024 * 1024, 1024 * 1024]);
    expect(s3.objects.get('/pp-files/o/c/parts')?.body.equals(bytes)).toBe(true);
    expect(s3.objects.get('/pp-files/o/c/parts')?.type).toBe('application/pdf');
    await expect(
      s.putStream('o/c/aborted', failingAfter(6 * 1024 * 1024), { contentType: 'application/pdf' }),
    ).rejects.toThrow();
    expect(s3.uploads.size).toBe(0);
    expect(s3.objects.has('/pp-files/o/c/aborted')).toBe(false);
  });
  it('sends a short stream as one plain PUT', async () => {
    const s = createS3Storage({
      bucket: 'pp-files',
      region: 'us-east-1',
      endpoint: s3.url,
      accessKeyId: 'AKIDTEST',
      secretAccessKey: 'secret',
    });
    s3.partSizes.length = 0;
    await s.putStream('o/c/small', Readable.from([Buffer.from('%PDF-1.4 small')]), { contentType: 'application/pdf' });
    expect(s3.partSizes).toEqual([]);
    expect(s3.objects.get('/pp-files/o/c/small')?.body.toString()).toBe('%PDF-1.4 small');
  });
});
