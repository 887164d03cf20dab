import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';

// The demo entry as `npm start` runs it: a separate process, configured by its arguments.
const entry = fileURLToPath(new URL('./serve-fake-openai.ts', import.meta.url));
let child: ChildProcess | undefined;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

afterAll(() => {
  child?.kill('SIGTERM');
});

describe('serve-fake-openai', () => {
  it('serves the fake on the given port with the given key, for the official SDK', async () => {
    const port = await freePort();
    const key = 'sk-local-demo-key-123';
    child = spawn(process.execPath, ['--import', 'tsx', entry, '--port', String(port), '--key', key], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out, { timeout: 60_000 }).toContain(`fake OpenAI listening on http://127.0.0.1:${port}/v1`);
    const client = new OpenAI({ apiKey: key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Do you ship to Canada?' }],
    });
    expect(res.choices[0]!.message.content).toContain('Do you ship to Canada?');
    await expect(
      new OpenAI({ apiKey: 'sk-other-key-000', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 }).models.list(),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
  }, 90_000);

  it('refuses to start without a key', async () => {
    const bad = spawn(process.execPath, ['--import', 'tsx', entry, '--port', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    bad.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => bad.on('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('usage:');
  }, 60_000);
});
