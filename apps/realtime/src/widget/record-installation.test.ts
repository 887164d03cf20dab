import { describe, expect, it } from 'vitest';
import { createLogger } from '@pocketping/core';
import { createDb } from '@pocketping/db';
import { freePort } from '@pocketping/testkit';
import { createInstallationRecorder } from './record-installation.js';

describe('installation recorder', () => {
  it('never throws into the handshake when the database is unreachable, and retries on the next handshake', async () => {
    const db = createDb(`postgres://postgres@127.0.0.1:${await freePort()}/nothing`, { poolSize: 1 });
    const warnings: unknown[] = [];
    const log = createLogger('rec-test', 'silent');
    log.warn = ((obj: unknown) => void warnings.push(obj)) as typeof log.warn;
    const record = createInstallationRecorder(db, log, 60_000);
    expect(() => record('org_1', 'prj_1')).not.toThrow();
    await expect.poll(() => warnings.length, { timeout: 10_000 }).toBe(1);
    // The failed write does not count against the throttle: the next handshake tries again.
    record('org_1', 'prj_1');
    await expect.poll(() => warnings.length, { timeout: 10_000 }).toBe(2);
    await db.$disconnect();
  });
});
