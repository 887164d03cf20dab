// Uploads never attached to a message: rows and bytes are removed after the configured age (real Postgres, local storage).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '@pocketping/core';
import { createLocalStorage } from '@pocketping/storage';
import type { TSendAck, TUploadResponse } from '@pocketping/protocol';
import { sweepOrphanUploads } from '../../apps/realtime/src/uploads/orphan-uploads.js';
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
let visitor: TWidgetClient;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('orphan png')]);
const HOUR = 3_600_000;

async function upload(): Promise<{ id: string; storageKey: string; file: string }> {
  const form = new FormData();
  form.append('file', new Blob([PNG]), 'shot.png');
  const res = await fetch(`${h.url}/widget/uploads`, {
    method: 'POST',
    headers: { origin: t.origin, 'x-project-key': t.projectKey, 'x-visitor-token': visitor.session.visitorToken! },
    body: form,
  });
  const body = (await res.json()) as TUploadResponse;
  if (!body.ok) throw new Error(JSON.stringify(body));
  const row = await h.db.attachment.findUniqueOrThrow({ where: { id: body.attachment.id } });
  return { id: row.id, storageKey: row.storageKey, file: path.join(h.storageDir, ...row.storageKey.split('/')) };
}

const backdate = (id: string, ms: number) =>
  h.db.attachment.update({ where: { id }, data: { createdAt: new Date(Date.now() - ms) } });

beforeAll(async () => {
  // The periodic pass runs every 300 ms here and removes what is older than one hour.
  h = await startHarness({ orphanUploads: { intervalMs: 300, olderThanMs: HOUR } });
  t = await h.tenant();
  visitor = await connectWidget(h.url, t);
});
afterAll(async () => {
  visitor?.close();
  await h?.close();
});

describe('orphan uploads', () => {
  it('the periodic pass deletes old unlinked uploads (row and bytes) and keeps sent and recent ones', async () => {
    const orphan = await upload();
    const sent = await upload();
    const recent = await upload();
    const ack = await visitor.ack<TSendAck>('message:send', {
      clientId: clientId(),
      body: 'with file',
      attachmentIds: [sent.id],
    });
    expect(ack.ok).toBe(true);
    expect(existsSync(orphan.file)).toBe(true);
    await backdate(orphan.id, 2 * HOUR);
    await backdate(sent.id, 2 * HOUR);
    await backdate(recent.id, 20 * 60_000);

    await expect.poll(() => h.db.attachment.count({ where: { id: orphan.id } }), { timeout: 5_000 }).toBe(0);
    // Bytes go right after the rows, in the same pass.
    await expect.poll(() => existsSync(orphan.file), { timeout: 5_000 }).toBe(false);
    // A few more passes ran meanwhile; the others are still there, bytes included.
    await new Promise((r) => setTimeout(r, 700));
    expect(await h.db.attachment.count({ where: { id: { in: [sent.id, recent.id] } } })).toBe(2);
    expect(existsSync(sent.file)).toBe(true);
    expect(existsSync(recent.file)).toBe(true);
    // The swept id can no longer be attached.
    const late = await visitor.ack<{ ok: boolean; error?: { code: string } }>('message:send', {
      clientId: clientId(),
      body: 'late',
      attachmentIds: [orphan.id],
    });
    expect(late.error?.code).toBe('forbidden');
  });

  it('one pass reports what it removed; bytes that cannot be deleted are counted and the rows still go', async () => {
    const a = await upload();
    const b = await upload();
    const young = await upload();
    // Under the periodic pass's one hour, so only the direct call below (30 minutes) can take them.
    await backdate(a.id, 50 * 60_000);
    await backdate(b.id, 50 * 60_000);
    await backdate(young.id, 10 * 60_000);
    const failing = {
      ...createLocalStorage(h.storageDir),
      delete: async () => {
        throw new Error('storage down');
      },
    };
    const r = await sweepOrphanUploads(
      { sql: h.server.ctx.sql, storage: failing, log: createLogger('orphan-test', 'silent') },
      { olderThanMs: 30 * 60_000, limit: 10 },
    );
    expect(r).toEqual({ rows: 2, storageFailures: 2 });
    expect(await h.db.attachment.count({ where: { id: { in: [a.id, b.id] } } })).toBe(0);
    expect(existsSync(a.file)).toBe(true);
    expect(await h.db.attachment.count({ where: { id: young.id } })).toBe(1);
    // With working storage the next pass finds nothing more of this age.
    const again = await sweepOrphanUploads(
      { sql: h.server.ctx.sql, storage: createLocalStorage(h.storageDir), log: createLogger('orphan-test', 'silent') },
      { olderThanMs: 30 * 60_000 },
    );
    expect(again.rows).toBe(0);
  });
});
