import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { TLogger } from '@pocketping/core';
import type { TWebhookEndpoint, TWebhookResult } from '../inbound-ports.js';

/** Interactions are small JSON documents; anything larger is not one. */
export const MAX_INTERACTION_BODY_BYTES = 64 * 1024;
/** Signed timestamps older (or newer) than this are refused: a captured request cannot be replayed later. */
const MAX_SKEW_SECONDS = 5 * 60;
/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const ZInteraction = z.looseObject({ type: z.number().int(), id: z.string().max(32).optional() });

const INTERACTION = { ping: 1, applicationCommand: 2, messageComponent: 3, autocomplete: 4, modalSubmit: 5 } as const;
const RESPONSE = { pong: 1, channelMessage: 4 } as const;
/** Only the invoking user sees the answer. */
const EPHEMERAL = 1 << 6;

export interface TDiscordInteractionDeps {
  /** DISCORD_PUBLIC_KEY (64 hex digits); absent when this server takes no Discord interactions. */
  publicKeyHex: string | undefined;
  log: TLogger;
  now?: () => number;
}

export interface TDiscordInteractionInput {
  signature: string | null;
  timestamp: string | null;
  rawBody: string;
}

const keys = new Map<string, KeyObject>();
function publicKeyOf(hex: string): KeyObject {
  let key = keys.get(hex);
  if (!key) {
    key = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]),
      format: 'der',
      type: 'spki',
    });
    keys.set(hex, key);
  }
  return key;
}

/**
 * POST /api/webhooks/discord — Discord's interactions endpoint. Every request is signed with the application's
 * Ed25519 key over `timestamp + body` (X-Signature-Ed25519, X-Signature-Timestamp); an unsigned or wrongly signed
 * one gets 401, which is also what Discord checks before it accepts the endpoint URL. PING is answered PONG.
 * PocketPing's operator commands are plain messages in the conversation thread (read through the gateway), so any
 * other interaction gets a short private answer saying so. No tenant is involved: nothing is read or stored.
 */
export function handleDiscordInteraction(
  deps: TDiscordInteractionDeps,
  input: TDiscordInteractionInput,
): TWebhookResult {
  if (!deps.publicKeyHex)
    return {
      status: 503,
      body: { error: { code: 'unavailable', message: 'Discord interactions are not configured (DISCORD_PUBLIC_KEY)' } },
    };
  const unauthorized = (why: string): TWebhookResult => {
    deps.log.warn({ bridge: 'discord', why }, 'discord interaction refused');
    return { status: 401, body: { error: { code: 'unauthorized', message: 'invalid request signature' } } };
  };
  const { signature, timestamp, rawBody } = input;
  if (!signature || !/^[0-9a-fA-F]{128}$/.test(signature)) return unauthorized('missing or malformed signature');
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return unauthorized('missing or malformed timestamp');
  const nowSeconds = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_SKEW_SECONDS)
    return unauthorized('timestamp outside the 5-minute window');
  const ok = verify(
    null,
    Buffer.from(timestamp + rawBody, 'utf8'),
    publicKeyOf(deps.publicKeyHex),
    Buffer.from(signature, 'hex'),
  );
  if (!ok) return unauthorized('signature does not verify');

  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { status: 400, body: { error: { code: 'bad_request', message: 'body is not JSON' } } };
  }
  const parsed = ZInteraction.safeParse(json);
  if (!parsed.success)
    return { status: 400, body: { error: { code: 'bad_request', message: 'not a Discord interaction' } } };
  switch (parsed.data.type) {
    case INTERACTION.ping:
      return { status: 200, body: { type: RESPONSE.pong } };
    case INTERACTION.applicationCommand:
    case INTERACTION.messageComponent:
    case INTERACTION.modalSubmit:
      return {
        status: 200,
        body: {
          type: RESPONSE.channelMessage,
          data: {
            content:
              'PocketPing commands are written as messages in a conversation thread: /info, /close, /reopen, /note text, /ai on|off, /help.',
            flags: EPHEMERAL,
            allowed_mentions: { parse: [] },
          },
        },
      };
    default:
      return {
        status: 400,
        body: { error: { code: 'bad_request', message: `unsupported interaction type ${parsed.data.type}` } },
      };
  }
}

/** POST /api/webhooks/discord — the application's interactions endpoint URL. */
export function createDiscordWebhook(config: { publicKeyHex: string | undefined }): TWebhookEndpoint {
  return {
    maxBodyBytes: MAX_INTERACTION_BODY_BYTES,
    pathSegments: 0,
    handle: async (ports, request) =>
      handleDiscordInteraction(
        { publicKeyHex: config.publicKeyHex, log: ports.log },
        {
          signature: request.header('x-signature-ed25519'),
          timestamp: request.header('x-signature-timestamp'),
          rawBody: request.rawBody,
        },
      ),
  };
}
