// The built web app (`next start`) refuses to start on a bad configuration — here the placeholder AUTH_SECRET of
// .env.example, which is public: anyone knowing it could mint session cookies.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, freePort, spawnApp, testEncryptionKey } from '@pocketping/testkit';

describe('web boot', () => {
  it('exits at boot, naming AUTH_SECRET, when it is still the .env.example placeholder; starts with a real secret', async () => {
    const placeholder = /^AUTH_SECRET=(.*)$/m
      .exec(readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8'))![1]!
      .trim();
    const port = String(await freePort());
    const env = {
      PORT: port,
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ENCRYPTION_KEY: testEncryptionKey(),
      WEB_PUBLIC_URL: `http://127.0.0.1:${port}`,
      REALTIME_PUBLIC_URL: 'http://127.0.0.1:1',
      ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
    };
    const refused = spawnApp('web', {
      env: { ...env, AUTH_SECRET: placeholder },
      readyUrl: `http://127.0.0.1:${port}/api/health`,
      timeoutMs: 60_000,
    });
    await expect(refused).rejects.toThrow(
      /web exited with 1 before it was ready[\s\S]*AUTH_SECRET is invalid: is still the placeholder/,
    );

    const web = await spawnApp('web', {
      env: { ...env, AUTH_SECRET: randomBytes(32).toString('hex') },
      readyUrl: `http://127.0.0.1:${port}/api/health`,
      timeoutMs: 60_000,
    });
    await web.stop();
  });
});
