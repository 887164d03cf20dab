import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createLocalStorage } from './local-storage.js';
import { storeUploadStream } from './store-upload-stream.js';
import type { TStorage } from './storage.js';

let dir: string;
let storage: TStorage;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pp-upload-stream-'));
  storage = createLocalStorage(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The bytes in chunks of `chunk`, produced only when read; `read()` = how many the consumer took. */
function source(bytes: Buffer, chunk = 1000) {
  let at = 0;
  const stream = new Readable({
    read() {
      if (at >= bytes.length) return void this.push(null);
      this.push(bytes.subarray(at, at + chunk));
      at += chunk;
    },
  });
  return { stream, read: () => at };
}

async function files(): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(20_000, 7)]);

describe('storeUploadStream', () => {
  it('stores a file with its sniffed type, size and SHA-256 computed on the way', async () => {
    const r = await storeUploadStream(storage, 'o/c/png', source(PNG).stream, { fileName: 'a.png', maxBytes: 100_000 });
    expect(r).toEqual({
      ok: true,
      size: PNG.length,
      sha256: createHash('sha256').update(PNG).digest('hex'),
      contentType: 'image/png',
    });
    expect(
      Buffer.from(
        await (await storage.get('o/c/png'))!.body.toArray().then((c) => Buffer.concat(c as Buffer[])),
      ).equals(PNG),
    ).toBe(true);
    await storage.delete('o/c/png');
  });

  it('refuses a type outside the allowlist from its first bytes, storing nothing', async () => {
    const exe = Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0]), Buffer.alloc(50_000)]);
    const src = source(exe);
    expect(await storeUploadStream(storage, 'o/c/exe', src.stream, { fileName: 'x.pdf', maxBytes: 100_000 })).toEqual({
      ok: false,
      reason: 'type',
    });
    expect(await files()).toEqual([]);
  });

  it('stops at the size limit: payload_too_large, the partial file removed, the source not read much further', async () => {
    const src = source(Buffer.concat([PNG, Buffer.alloc(5_000_000, 1)]), 16 * 1024);
    await expect(
      storeUploadStream(storage, 'o/c/big', src.stream, { fileName: 'big.png', maxBytes: 100_000 }),
    ).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(src.read()).toBeLessThan(500_000);
    expect(await storage.get('o/c/big')).toBeNull();
    expect(await files()).toEqual([]);
  });

  it('checks text to the last byte: a control byte or markup after the first bytes is refused, nothing kept', async () => {
    const binaryTail = Buffer.concat([Buffer.from('a'.repeat(10_000)), Buffer.from([0x00, 0x01])]);
    expect(
      await storeUploadStream(storage, 'o/c/t1', source(binaryTail).stream, { fileName: 'n.txt', maxBytes: 100_000 }),
    ).toEqual({ ok: false, reason: 'type' });
    const lateMarkup = Buffer.from(`${' '.repeat(6000)}<html><script>alert(1)</script>`);
    expect(
      await storeUploadStream(storage, 'o/c/t2', source(lateMarkup).stream, { fileName: 'n.txt', maxBytes: 100_000 }),
    ).toEqual({ ok: false, reason: 'type' });
    expect(await files()).toEqual([]);
  });

  it('takes UTF-8 text whose characters straddle chunk and sniffing boundaries', async () => {
    const text = Buffer.from('é'.repeat(9_000)); // 2 bytes each: odd chunk sizes split them
    const r = await storeUploadStream(storage, 'o/c/utf8', source(text, 999).stream, {
      fileName: 'notes.txt',
      maxBytes: 100_000,
    });
    expect(r).toMatchObject({ ok: true, size: text.length, contentType: 'text/plain; charset=utf-8' });
    await storage.delete('o/c/utf8');
  });
});
