// A draining realtime node (SIGTERM) lets an attachment upload in progress finish before it closes its pools: the
// visitor's file is stored and answered, not cut off with the node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { waitFor } from '@pocketping/testkit';
import type { TUploadResponse } from '@pocketping/protocol';
import { connectWidget, startHarness, type THarness, type TTenant, type TWidgetClient } from './realtime-harness.js';

let h: THarness;
let t: TTenant;
let visitor: TWidgetClient;

beforeAll(async () => {
  h = await startHarness();
  t = await h.tenant();
  visitor = await connectWidget(h.url, t);
});
afterAll(async () => {
  visitor?.close();
  await h?.close();
});

describe('realtime drain', () => {
  it('waits for an upload in flight, which completes and is stored, while sockets are sent away at once', async () => {
    const boundary = 'ppdrainboundary';
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4096, 7)]);
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="late.png"\r\nContent-Type: image/png\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const url = new URL('/widget/uploads', h.url);
    const upload = request(url, {
      method: 'POST',
      headers: {
        origin: t.origin,
        'x-project-key': t.projectKey,
        'x-visitor-token': visitor.session.visitorToken!,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + png.length + tail.length),
      },
    });
    const answer = new Promise<{ status: number; body: TUploadResponse }>((resolve, reject) => {
      upload.on('error', reject);
      upload.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as TUploadResponse;
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
    });
    upload.write(Buffer.concat([head, png.subarray(0, 1024)]));
    await waitFor(() => h.server.ctx.inFlight.count() === 1 || null, { what: 'the upload being handled' });

    const visitorGone = new Promise<void>((resolve) => visitor.socket.once('disconnect', () => resolve()));
    let drainedAt = 0;
    const drained = h.server.drain(15_000).then((idle) => {
      drainedAt = Date.now();
      return idle;
    });
    // The widget socket is told to reconnect elsewhere at once; the drain itself still waits for the upload.
    await visitorGone;
    expect(drainedAt).toBe(0);

    const bodyEndedAt = Date.now();
    upload.end(Buffer.concat([png.subarray(1024), tail]));
    const res = await answer;
    expect(res.status).toBe(201);
    if (!res.body.ok) throw new Error(JSON.stringify(res.body));
    expect(await drained).toBe(true);
    // The drain ended only once the rest of the body had been sent (and the upload handled).
    expect(drainedAt).toBeGreaterThanOrEqual(bodyEndedAt);
    const row = await h.db.attachment.findUniqueOrThrow({ where: { id: res.body.attachment.id } });
    expect(row).toMatchObject({ name: 'late.png', size: png.length, organizationId: t.organizationId });
  });
});
