// Uploads are streamed to storage and counted against the organization's storage quota (real Postgres, local
// storage, the realtime server in-process): a refused upload keeps nothing, parallel uploads cannot both take the last
// free space, and expired uploads or deleted projects give their bytes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '@pocketping/core';
import { getStorageUsage } from '@pocketping/db';
import type { TUploadResponse } from '@pocketping/protocol';
import { sweepOrphanUploads } from '../../apps/realtime/src/uploads/orphan-uploads.js';
import { connectWidget, startHarness, type THarness, type TTenant, type TWidgetClient } from './realtime-harness.js';

const KB = 1024;
/** Quotas per organization, as a billing plan would answer them; 1 GiB for anyone not listed. */
const quotas = new Map<string, number>();
let h: THarness;

function png(size: number): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(size - 8, 0x11)]);
}

async function upload(t: TTenant, visitor: TWidgetClient, bytes: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), 'shot.png');
  const res = await fetch(`${h.url}/widget/uploads`, {
    method: 'POST',
    headers: { origin: t.origin, 'x-project-key': t.projectKey, 'x-visitor-token': visitor.session.visitorToken! },
    body: form,
  });
  return {
    status: res.status,
    body: (await res.json()) as TUploadResponse & {
      error?: { code: string; message: string; details?: { reason?: string } };
    },
  };
}

async function filesOf(organizationId: string): Promise<{ name: string; size: number }[]> {
  const dir = path.join(h.storageDir, organizationId);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const out: { name: string; size: number }[] = [];
  for (const d of entries)
    if (d.isFile()) out.push({ name: d.name, size: (await stat(path.join(d.parentPath, d.name))).size });
  return out;
}

beforeAll(async () => {
  h = await startHarness({
    storageQuotaFor: (organizationId) => Promise.resolve(quotas.get(organizationId) ?? 1024 * 1024 * 1024),
  });
});
afterAll(async () => {
  await h?.close();
});

describe('storage quota', () => {
  it('takes files up to the quota and refuses the next with a message the widget shows; nothing of it is kept', async () => {
    const t = await h.tenant();
    quotas.set(t.organizationId, 100 * KB);
    const v = await connectWidget(h.url, t);
    expect((await upload(t, v, png(40 * KB))).status).toBe(201);
    expect((await upload(t, v, png(40 * KB))).status).toBe(201);
    const refused = await upload(t, v, png(40 * KB));
    expect(refused.status).toBe(413);
    expect(refused.body.ok).toBe(false);
    expect(refused.body.error).toMatchObject({ code: 'payload_too_large', details: { reason: 'storage_quota' } });
    expect(refused.body.error?.message).toMatch(/file storage is full/);
    expect(await h.db.attachment.count({ where: { organizationId: t.organizationId } })).toBe(2);
    expect(await getStorageUsage(h.db, t.organizationId)).toBe(80 * KB);
    await expect.poll(() => filesOf(t.organizationId).then((f) => f.length)).toBe(2);
    // A smaller file that still fits is taken.
    expect((await upload(t, v, png(20 * KB))).status).toBe(201);
    expect(await getStorageUsage(h.db, t.organizationId)).toBe(100 * KB);
    v.close();
  });

  it('a client still sending a large file when its organization is full gets the quota message, not a broken connection', async () => {
    const t = await h.tenant();
    quotas.set(t.organizationId, 10 * KB);
    const v = await connectWidget(h.url, t);
    expect((await upload(t, v, png(10 * KB))).status).toBe(201);
    const boundary = 'pp-full-boundary';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.png"\r\ncontent-type: image/png\r\n\r\n`,
      ),
      png(3 * 1024 * KB),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    // Sent in full, chunk by chunk, the way a browser's upload goes on until its last byte before it reads the answer.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${h.url}/widget/uploads`, {
        method: 'POST',
        headers: {
          origin: t.origin,
          'x-project-key': t.projectKey,
          'x-visitor-token': v.session.visitorToken!,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'transfer-encoding': 'chunked',
        },
      });
      // Done only when the answer arrived AND every byte went out on the same connection.
      let answer: { status: number; body: string } | null = null;
      let sentAll = false;
      const settle = () => {
        if (answer && sentAll) resolve(answer);
      };
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          answer = { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() };
          settle();
        });
      });
      let at = 0;
      const write = () => {
        while (at < body.length) {
          const next = body.subarray(at, at + 64 * KB);
          at += next.length;
          if (!req.write(next)) return void req.once('drain', write);
        }
        req.end(() => {
          sentAll = true;
          settle();
        });
      };
      write();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large', details: { reason: 'storage_quota' } },
    });
    v.close();
  });

  it('parallel uploads cannot both take the last free space: exactly as many pass as fit', async () => {
    const t = await h.tenant();
    quotas.set(t.organizationId, 100 * KB);
    const visitors = await Promise.all(Array.from({ length: 6 }, () => connectWidget(h.url, t)));
    const results = await Promise.all(visitors.map((v) => upload(t, v, png(40 * KB))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.status === 413)).toHaveLength(4);
    expect(await getStorageUsage(h.db, t.organizationId)).toBe(80 * KB);
    const rows = await h.db.attachment.aggregate({
      where: { organizationId: t.organizationId },
      _sum: { size: true },
      _count: true,
    });
    expect(rows).toMatchObject({ _count: 2, _sum: { size: 80 * KB } });
    await expect.poll(() => filesOf(t.organizationId).then((f) => f.length)).toBe(2);
    for (const v of visitors) v.close();
  });

  it('an upload never sent expires: row and bytes deleted, its bytes given back to the quota', async () => {
    const t = await h.tenant();
    quotas.set(t.organizationId, 50 * KB);
    const v = await connectWidget(h.url, t);
    expect((await upload(t, v, png(40 * KB))).status).toBe(201);
    expect((await upload(t, v, png(40 * KB))).status).toBe(413);
    await h.db.attachment.updateMany({
      where: { organizationId: t.organizationId },
      data: { createdAt: new Date(Date.now() - 2 * 3_600_000) },
    });
    const swept = await sweepOrphanUploads(
      { sql: h.server.ctx.sql, storage: h.server.ctx.storage, log: createLogger('t', 'silent') },
      { olderThanMs: 3_600_000 },
    );
    expect(swept.rows).toBeGreaterThanOrEqual(1);
    expect(await h.db.attachment.count({ where: { organizationId: t.organizationId } })).toBe(0);
    expect(await filesOf(t.organizationId)).toEqual([]);
    expect(await getStorageUsage(h.db, t.organizationId)).toBe(0);
    expect((await upload(t, v, png(40 * KB))).status).toBe(201);
    v.close();
  });

  it('rows removed by a cascade (a deleted project) give their bytes back too', async () => {
    const t = await h.tenant();
    const v = await connectWidget(h.url, t);
    expect((await upload(t, v, png(30 * KB))).status).toBe(201);
    expect(await getStorageUsage(h.db, t.organizationId)).toBe(30 * KB);
    v.close();
    await h.db.project.delete({ where: { id: t.projectId } });
    expect(await getStorageUsage(h.db, t.organizationId)).toBe(0);
  });
});

describe('streamed uploads', () => {
  it('writes the file to storage while it is still arriving (nothing waits for the whole body in memory)', async () => {
    const t = await h.tenant();
    const v = await connectWidget(h.url, t);
    const boundary = 'pp-stream-boundary';
    const file = png(3 * 1024 * KB);
    const head = Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.png"\r\ncontent-type: image/png\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const req = request(`${h.url}/widget/uploads`, {
      method: 'POST',
      headers: {
        origin: t.origin,
        'x-project-key': t.projectKey,
        'x-visitor-token': v.session.visitorToken!,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'transfer-encoding': 'chunked',
      },
    });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
    });
    // The first 2 MB go out; the rest is held back until storage shows a partly written file of this upload.
    req.write(Buffer.concat([head, file.subarray(0, 2 * 1024 * KB)]));
    await expect
      .poll(async () => (await filesOf(t.organizationId)).some((f) => f.name.endsWith('.tmp') && f.size >= 1024 * KB), {
        timeout: 10_000,
      })
      .toBe(true);
    req.end(Buffer.concat([file.subarray(2 * 1024 * KB), tail]));
    const res = await answer;
    expect(res.status).toBe(201);
    const body = JSON.parse(res.body) as TUploadResponse;
    if (!body.ok) throw new Error(res.body);
    expect(body.attachment.size).toBe(file.length);
    expect(await filesOf(t.organizationId)).toEqual([
      { name: expect.not.stringMatching(/\.tmp$/) as string, size: file.length },
    ]);
    v.close();
  });

  it('a client that goes away mid-upload leaves no partial file behind', async () => {
    const t = await h.tenant();
    const v = await connectWidget(h.url, t);
    const boundary = 'pp-abort-boundary';
    const head = Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="cut.png"\r\ncontent-type: image/png\r\n\r\n`,
    );
    const req = request(`${h.url}/widget/uploads`, {
      method: 'POST',
      headers: {
        origin: t.origin,
        'x-project-key': t.projectKey,
        'x-visitor-token': v.session.visitorToken!,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'transfer-encoding': 'chunked',
      },
    });
    req.on('error', () => undefined);
    req.write(Buffer.concat([head, png(2 * 1024 * KB)]));
    await expect
      .poll(async () => (await filesOf(t.organizationId)).some((f) => f.size >= 1024 * KB), { timeout: 10_000 })
      .toBe(true);
    req.destroy();
    await expect.poll(() => filesOf(t.organizationId), { timeout: 10_000 }).toEqual([]);
    expect(await h.db.attachment.count({ where: { organizationId: t.organizationId } })).toBe(0);
    expect(await getStorageUsage(h.db, t.organizationId)).toBe(0);
    v.close();
  });
});
