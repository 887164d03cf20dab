import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@pocketping/core';
import { handleDiscordInteraction } from './webhook.js';

// Discord's interactions endpoint with a generated Ed25519 key pair: only requests signed by the application's key
// over timestamp + body, within 5 minutes, are answered.
describe('Discord interactions endpoint', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyHex = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
  const other = generateKeyPairSync('ed25519').privateKey;
  const now = 1_780_000_000_000;
  const deps = { publicKeyHex, log: createLogger('test', 'silent'), now: () => now };
  const signed = (body: string, opts: { key?: typeof privateKey; timestamp?: string } = {}) => {
    const timestamp = opts.timestamp ?? String(Math.floor(now / 1000));
    const signature = sign(null, Buffer.from(timestamp + body), opts.key ?? privateKey).toString('hex');
    return { signature, timestamp, rawBody: body };
  };

  it('answers a signed PING with PONG (type 1)', () => {
    const r = handleDiscordInteraction(
      deps,
      signed('{"type":1,"id":"1","application_id":"2","token":"t","version":1}'),
    );
    expect(r).toEqual({ status: 200, body: { type: 1 } });
  });

  it('refuses with 401: another key, a tampered body, a stale or future timestamp, missing headers', () => {
    const body = '{"type":1}';
    expect(handleDiscordInteraction(deps, signed(body, { key: other })).status).toBe(401);
    expect(handleDiscordInteraction(deps, { ...signed(body), rawBody: '{"type":2}' }).status).toBe(401);
    const old = String(Math.floor(now / 1000) - 301);
    expect(handleDiscordInteraction(deps, signed(body, { timestamp: old })).status).toBe(401);
    const future = String(Math.floor(now / 1000) + 301);
    expect(handleDiscordInteraction(deps, signed(body, { timestamp: future })).status).toBe(401);
    // The signature covers the timestamp: a fresh timestamp on an old signature does not verify.
    expect(
      handleDiscordInteraction(deps, { ...signed(body, { timestamp: old }), timestamp: String(Math.floor(now / 1000)) })
        .status,
    ).toBe(401);
    expect(handleDiscordInteraction(deps, { signature: null, timestamp: null, rawBody: body }).status).toBe(401);
    expect(handleDiscordInteraction(deps, { ...signed(body), signature: 'zz' }).status).toBe(401);
  });

  it('a signed slash command gets a private pointer to the thread commands, mentions disabled; unknown types 400', () => {
    const r = handleDiscordInteraction(deps, signed('{"type":2,"data":{"name":"close"}}'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      type: 4,
      data: { flags: 64, allowed_mentions: { parse: [] }, content: expect.stringContaining('/close') as unknown },
    });
    expect(handleDiscordInteraction(deps, signed('{"type":99}')).status).toBe(400);
    expect(handleDiscordInteraction(deps, signed('not json')).status).toBe(400);
  });

  it('without DISCORD_PUBLIC_KEY nothing is accepted (503)', () => {
    expect(handleDiscordInteraction({ ...deps, publicKeyHex: undefined }, signed('{"type":1}')).status).toBe(503);
  });
});
