import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { setupWebTestEnv, type TWebTestEnv } from '../testing/web-test-env';
import { POST as signup } from '../../app/api/app/auth/signup/route';
import { POST as resend } from '../../app/api/app/auth/resend-verification/route';
import { POST as forgot } from '../../app/api/app/auth/forgot-password/route';

// Whether an address has an account must not show in the answer nor in its timing. The slowest, most variable
// step is the mail (an SMTP conversation only happens for some addresses), so it must never be part of the answer:
// here the mail server accepts connections and never says a word — an answer that waited on it would never come.
let env: TWebTestEnv;
let silent: Server;
const sockets = new Set<Socket>();

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  env = await setupWebTestEnv({ SMTP_URL: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}` });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => silent?.close(() => resolve()));
  await env?.close();
});

let n = 0;
const ip = () => ({ 'x-forwarded-for': `10.99.${++n}.1` });
const fresh = () => `uniform-${randomBytes(4).toString('hex')}@example.test`;

describe('answers that do not depend on the account', () => {
  it('forgot-password, resend and sign-up answer alike for registered, unconfirmed and unknown addresses, without waiting for the mail', async () => {
    const confirmed = await env.createUser({ password: 'some password 1' });
    const unconfirmed = await env.createUser({ verified: false });
    const unknown = fresh();
    const answers: unknown[] = [];
    for (const email of [confirmed.email, unconfirmed.email, unknown]) {
      for (const route of [forgot, resend]) {
        const res = await env.call(route, { body: { email }, headers: ip() });
        answers.push({ status: res.status, json: res.json });
      }
      const res = await env.call(signup, { body: { email, password: 'correct horse battery' }, headers: ip() });
      answers.push({ status: res.status, json: res.json });
    }
    expect(answers).toEqual(Array(9).fill({ status: 200, json: { ok: true } }));
    // The mails were attempted meanwhile: the server saw connections it never answered.
    await expect.poll(() => sockets.size).toBeGreaterThan(0);
  });
});
