// POST /widget/uploads and GET /widget/files/:token against the real realtime server: the same checks as the
// socket handshake, the 10 MB cap, type sniffing, linking to a message, and signed URLs that expire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { sendChunkedUntilAnswered } from '@pocketping/testkit';
import { UPLOAD_LIMITS, type TSendAck, type THistoryAck, type TUploadResponse } from '@pocketping/protocol';
import {
  clientId,
  connectWidget,
  startHarness,
  type THarness,
  type TTenant,
  type TWidgetClient,
} from './realtime-harness.js';

let h: THarness;
let t: TTenant;
let other: TTenant;
let visitor: TWidgetClient;

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('fake png body'),
]);

function upload(opts: {
  tenant: TTenant;
  token?: string;
  origin?: string;
  bytes?: Buffer;
  name?: string;
  field?: string;
}) {
  const form = new FormData();
  form.append(opts.field ?? 'file', new Blob([new Uint8Array(opts.bytes ?? PNG)]), opts.name ?? 'shot.png');
  return fetch(`${h.url}/widget/uploads`, {
    method: 'POST',
    headers: {
      origin: opts.origin ?? opts.tenant.origin,
      'x-project-key': opts.tenant.projectKey,
      ...(opts.token === undefined ? {} : { 'x-visitor-token': opts.token }),
    },
    body: form,
  });
}

beforeAll(async () => {
  h = await startHarness();
  t = await h.tenant({ withBridge: true });
  other = await h.tenant();
  visitor = await connectWidget(h.url, t);
});
afterAll(async () => {
  visitor?.close();
  await h?.close();
});

describe('POST /widget/uploads', () => {
  it('stores a file, answers a signed URL that serves the same bytes, and links it to a sent message', async () => {
    const res = await upload({ tenant: t, token: visitor.session.visitorToken! });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(t.origin);
    const body = (await res.json()) as TUploadResponse;
    if (!body.ok) throw new Error(JSON.stringify(body));
    expect(body.attachment).toMatchObject({ name: 'shot.png', contentType: 'image/png', size: PNG.length });
    const row = await h.db.attachment.findUniqueOrThrow({ where: { id: body.attachment.id } });
    expect(row.sha256).toBe(createHash('sha256').update(PNG).digest('hex'));
    expect(row.messageId).toBeNull();

    const file = await fetch(body.attachment.url!);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);

    const sent = await visitor.ack<TSendAck>('message:send', {
      clientId: clientId(),
      body: '',
      attachmentIds: [body.attachment.id],
    });
    if (!sent.ok) throw new Error(JSON.stringify(sent));
    expect(sent.message.attachments).toHaveLength(1);
    expect(sent.message.attachments[0]).toMatchObject({
      id: body.attachment.id,
      name: 'shot.png',
      url: expect.stringContaining('/widget/files/'),
    });
    expect((await h.db.attachment.findUniqueOrThrow({ where: { id: body.attachment.id } })).messageId).toBe(
      sent.message.id,
    );
    const page = await visitor.ack<THistoryAck>('history', { afterSeq: 0 });
    if (!page.ok) throw new Error('history');
    const fromHistory = page.messages.find((m) => m.id === sent.message.id)!;
    expect((await fetch(fromHistory.attachments[0]!.url!)).status).toBe(200);

    // The same attachment cannot be sent twice, and a failed link stores nothing (the seq is not consumed).
    const before = await h.db.message.count({ where: { conversationId: sent.message.conversationId } });
    const reuse = await visitor.ack<{ ok: boolean; error?: { code: string } }>('message:send', {
      clientId: clientId(),
      body: 'again',
      attachmentIds: [body.attachment.id],
    });
    expect(reuse.error?.code).toBe('forbidden');
    expect(await h.db.message.count({ where: { conversationId: sent.message.conversationId } })).toBe(before);
  });

  it("another visitor cannot attach someone else's upload", async () => {
    const res = await upload({ tenant: t, token: visitor.session.visitorToken! });
    const body = (await res.json()) as TUploadResponse;
    if (!body.ok) throw new Error('upload');
    const intruder = await connectWidget(h.url, t);
    const ack = await intruder.ack<{ ok: boolean; error?: { code: string } }>('message:send', {
      clientId: clientId(),
      body: 'mine now',
      attachmentIds: [body.attachment.id],
    });
    expect(ack.error?.code).toBe('forbidden');
    const unknown = await intruder.ack<{ ok: boolean; error?: { code: string } }>('message:send', {
      clientId: clientId(),
      body: 'x',
      attachmentIds: ['nonexistent123'],
    });
    expect(unknown.error?.code).toBe('forbidden');
    intruder.close();
  });

  it('checks origin, project key and visitor token like the handshake', async () => {
    const token = visitor.session.visitorToken!;
    expect((await upload({ tenant: t, token, origin: 'https://evil.test' })).status).toBe(403);
    expect((await upload({ tenant: t })).status).toBe(401);
    expect((await upload({ tenant: t, token: 'vt_not_a_real_token_at_all' })).status).toBe(401);
    // The token is valid, but for another project: nothing.
    expect((await upload({ tenant: other, token })).status).toBe(401);
    const bad = await fetch(`${h.url}/widget/uploads`, {
      method: 'POST',
      headers: {
        origin: t.origin,
        'x-project-key': t.projectKey,
        'x-visitor-token': token,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    expect((await upload({ tenant: t, token, field: 'other' })).status).toBe(400);
    const pre = await fetch(`${h.url}/widget/uploads`, {
      method: 'OPTIONS',
      headers: { origin: t.origin, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-visitor-token');
  });

  it('refuses types outside the allowlist, whatever the name says', async () => {
    const token = visitor.session.visitorToken!;
    const svg = await upload({
      tenant: t,
      token,
      bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      name: 'cute.png',
    });
    expect(svg.status).toBe(415);
    const exe = await upload({
      tenant: t,
      token,
      bytes: Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]),
      name: 'invoice.pdf',
    });
    expect(exe.status).toBe(415);
  });

  it('answers 413 above 10 MB, and takes exactly 10 MB', async () => {
    const token = visitor.session.visitorToken!;
    const big = Buffer.alloc(UPLOAD_LIMITS.maxBytes + 1, 0x41);
    const tooBig = await upload({ tenant: t, token, bytes: big, name: 'big.txt' });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const exact = await upload({ tenant: t, token, bytes: big.subarray(0, UPLOAD_LIMITS.maxBytes), name: 'big.txt' });
    expect(exact.status).toBe(201);
  });
});

describe('POST /widget/uploads — bodies without Content-Length', () => {
  it('answers 413 to a 50 MB chunked upload long before the client has sent it, and keeps nothing of it', async () => {
    // A visitor of its own: uploads are rate-limited per visitor.
    const sender = await connectWidget(h.url, t);
    const token = sender.session.visitorToken!;
    const rowsBefore = await h.db.attachment.count({ where: { organizationId: t.organizationId } });
    const filesBefore = await storedFiles();
    const boundary = 'pp-boundary-7f3a';
    const prefix = Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="huge.png"\r\ncontent-type: image/png\r\n\r\n`,
    );
    const result = await sendChunkedUntilAnswered(`${h.url}/widget/uploads`, {
      headers: {
        origin: t.origin,
        'x-project-key': t.projectKey,
        'x-visitor-token': token,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      prefix: Buffer.concat([prefix, PNG]),
      totalBytes: 50 * 1024 * 1024,
    });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
    expect(result.finishedSending).toBe(false);
    expect(result.bytesSent).toBeLessThan(50 * 1024 * 1024);
    expect(await h.db.attachment.count({ where: { organizationId: t.organizationId } })).toBe(rowsBefore);
    // The partial object is removed as the upload fails.
    await expect.poll(() => storedFiles(), { timeout: 5_000 }).toEqual(filesBefore);
    sender.close();
  });
});

describe('POST /widget/uploads — a client that ignores the refusal', () => {
  it('is cut off shortly after its 413 instead of being read to the end', async () => {
    const sender = await connectWidget(h.url, t);
    const boundary = 'pp-hostile-boundary';
    const req = request(`${h.url}/widget/uploads`, {
      method: 'POST',
      headers: {
        origin: t.origin,
        'x-project-key': t.projectKey,
        'x-visitor-token': sender.session.visitorToken!,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'transfer-encoding': 'chunked',
      },
    });
    let status = 0;
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.resume();
    });
    const total = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    // Keeps writing whatever the server says, until the connection is gone or everything went out.
    const outcome = await new Promise<{ sent: number; cut: boolean }>((resolve) => {
      let sent = 0;
      let done = false;
      const finish = (cut: boolean) => {
        if (done) return;
        done = true;
        resolve({ sent, cut });
      };
      req.on('error', () => finish(true));
      req.on('close', () => finish(sent < total));
      const write = () => {
        while (!done && sent < total) {
          const next =
            sent === 0
              ? Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.txt"\r\n\r\n`)
              : chunk;
          sent += next.length;
          if (!req.write(next)) return void req.once('drain', write);
        }
        if (!done) req.end(() => finish(false));
      };
      write();
    });
    expect(status).toBe(413);
    expect(outcome.cut).toBe(true);
    expect(outcome.sent).toBeLessThan(total);
    sender.close();
  });
});

async function storedFiles(): Promise<string[]> {
  return (await readdir(h.storageDir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}

describe('GET /widget/files/:token', () => {
  it('stops serving the file of a message once the message is deleted', async () => {
    const author = await connectWidget(h.url, t);
    const res = await upload({ tenant: t, token: author.session.visitorToken! });
    const body = (await res.json()) as TUploadResponse;
    if (!body.ok) throw new Error(JSON.stringify(body));
    const sent = await author.ack<TSendAck>('message:send', {
      clientId: clientId(),
      body: 'see file',
      attachmentIds: [body.attachment.id],
    });
    if (!sent.ok) throw new Error(JSON.stringify(sent));
    const url = sent.message.attachments[0]!.url!;
    expect((await fetch(url)).status).toBe(200);
    await h.db.message.update({ where: { id: sent.message.id }, data: { deletedAt: new Date() } });
    const gone = await fetch(url);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('not_found');
    author.close();
  });

  it('refuses an expired or tampered signature and a file of another conversation', async () => {
    const res = await upload({ tenant: t, token: visitor.session.visitorToken! });
    const body = (await res.json()) as TUploadResponse;
    if (!body.ok) throw new Error('upload');
    const row = await h.db.attachment.findUniqueOrThrow({ where: { id: body.attachment.id } });
    const claims = { organizationId: t.organizationId, conversationId: row.conversationId, attachmentId: row.id };
    const expired = h.server.ctx.signer.sign(claims, Date.now() - 2 * 3600_000);
    const r1 = await fetch(`${h.url}/widget/files/${expired}`);
    expect(r1.status).toBe(403);
    expect(((await r1.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
    const [payload, sig] = body.attachment.url!.split('/').pop()!.split('.') as [string, string];
    const flipped = `${payload}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await fetch(`${h.url}/widget/files/${flipped}`)).status).toBe(403);
    // A valid signature for the right attachment id but the wrong conversation serves nothing.
    const wrongConv = h.server.ctx.signer.sign({ ...claims, conversationId: 'someotherconv' });
    expect((await fetch(`${h.url}/widget/files/${wrongConv}`)).status).toBe(404);
    expect((await fetch(`${h.url}/widget/files/../../etc/passwd`)).status).toBe(404);
  });
});
