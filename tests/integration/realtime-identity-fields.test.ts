// Identity verification covers every shown field, not only the user id: a signed token (JWT, HS256, with expiry)
// verifies the fields it carries; the id-only hash still works, and then email, name and traits are stored and shown
// as the visitor's own claims (unverified) — on the bridge card as in the inbox data.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TIdentifyAck, TSendAck } from '@pocketping/protocol';
import { renderCard } from '../../packages/bridges/src/telegram/telegram-bridge.js';
import { buildCard } from '../../apps/worker/src/delivery/build-card.js';
import { clientId, connectWidget, startHarness, type THarness } from './realtime-harness.js';

const secret = 'idsecret_fields_0123456789';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function jwt(claims: Record<string, unknown>, opts: { key?: string; alg?: string } = {}): string {
  const head = b64({ alg: opts.alg ?? 'HS256', typ: 'JWT' });
  const body = b64(claims);
  const sig = createHmac('sha256', opts.key ?? secret)
    .update(`${head}.${body}`)
    .digest('base64url');
  return `${head}.${body}.${sig}`;
}
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const errCode = (r: unknown) => (r as { error?: { code?: string } }).error?.code;

let h: THarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('identity: signed fields are verified, the rest is marked unverified', () => {
  it('a signed token verifies the email, name and traits it carries; a clear value it does not cover stays unverified', async () => {
    const t = await h.tenant({ identitySecret: secret, withBridge: true });
    const a = await connectWidget(h.url, t);
    const token = jwt({
      sub: 'user-7',
      exp: inAnHour(),
      email: 'ann@example.com',
      name: 'Ann',
      traits: { plan: 'pro' },
    });
    const ack = await a.ack<TIdentifyAck>('identify', {
      id: 'user-7',
      email: 'spoof@example.com',
      token,
      traits: { plan: 'free', team: 'x' },
    });
    expect(ack).toEqual({ ok: true, verified: true, verifiedFields: ['email', 'name', 'traits.plan'] });
    const v = await h.db.visitor.findUniqueOrThrow({ where: { id: a.session.visitorId } });
    // The signed values win over the clear ones; the extra trait is kept as a claim.
    expect(v).toMatchObject({
      externalId: 'user-7',
      identityVerified: true,
      email: 'ann@example.com',
      name: 'Ann',
      verifiedFields: ['email', 'name', 'traits.plan'],
    });
    expect((v.metadata as { traits: unknown }).traits).toEqual({ plan: 'pro', team: 'x' });

    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'hi' });
    if (!sent.ok) throw new Error('send failed');
    const card = await buildCard(h.db, t.organizationId, sent.message.conversationId);
    expect(card.verified).toEqual({ name: true, email: true });
    expect(card.extra).toMatchObject({ 'User id': 'user-7 (verified)', plan: 'pro', team: 'x (unverified)' });
    expect(renderCard(card)).toContain('Email: ann@example.com\n');
    a.close();
  });

  it('the id-only hash still verifies the id; email and name are then stored and shown as unverified', async () => {
    const t = await h.tenant({ identitySecret: secret, withBridge: true });
    const a = await connectWidget(h.url, t);
    const hash = createHmac('sha256', secret).update('user-8').digest('hex');
    expect(
      await a.ack<TIdentifyAck>('identify', { id: 'user-8', email: 'claimed@example.com', name: 'Claimed', hash }),
    ).toEqual({ ok: true, verified: true });
    const v = await h.db.visitor.findUniqueOrThrow({ where: { id: a.session.visitorId } });
    expect(v).toMatchObject({ identityVerified: true, email: 'claimed@example.com', verifiedFields: [] });
    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'hi' });
    if (!sent.ok) throw new Error('send failed');
    const card = await buildCard(h.db, t.organizationId, sent.message.conversationId);
    expect(card.verified).toEqual({ name: false, email: false });
    const text = renderCard(card);
    expect(text).toContain('Name: Claimed (unverified)');
    expect(text).toContain('Email: claimed@example.com (unverified)');
    a.close();
  });

  it('refuses tokens that are forged, expired, unsigned, too long-lived or for another id — and changes nothing', async () => {
    const t = await h.tenant({ identitySecret: secret });
    const a = await connectWidget(h.url, t);
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      jwt({ sub: 'user-9', exp: inAnHour(), email: 'x@example.com' }, { key: 'another-secret' }),
      jwt({ sub: 'user-9', exp: now - 5 }),
      jwt({ sub: 'user-9', exp: now + 40 * 24 * 3600 }),
      jwt({ sub: 'user-9' }),
      jwt({ sub: 'someone-else', exp: inAnHour() }),
      `${b64({ alg: 'none' })}.${b64({ sub: 'user-9', exp: inAnHour() })}.x`,
      jwt({ sub: 'user-9', exp: inAnHour() }, { alg: 'HS512' }),
    ];
    for (const token of bad) expect(errCode(await a.ack('identify', { id: 'user-9', token }))).toBe('unauthorized');
    const v = await h.db.visitor.findUniqueOrThrow({ where: { id: a.session.visitorId } });
    expect(v).toMatchObject({ externalId: null, identityVerified: false, email: null, verifiedFields: [] });
    // Not a JWT at all: a validation error naming the field.
    expect(await a.ack('identify', { id: 'user-9', token: 'not a token' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', details: [{ path: 'token' }] },
    });
    a.close();
  });

  it('enforce mode accepts a valid token as the proof', async () => {
    const t = await h.tenant({ identitySecret: secret, settings: { identity: 'enforce' } });
    const a = await connectWidget(h.url, t);
    expect(errCode(await a.ack('message:send', { clientId: clientId(), body: 'hi' }))).toBe('unauthorized');
    expect(
      await a.ack<TIdentifyAck>('identify', { id: 'user-10', token: jwt({ sub: 'user-10', exp: inAnHour() }) }),
    ).toEqual({ ok: true, verified: true });
    expect((await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'hi' })).ok).toBe(true);
    a.close();
  });
});
