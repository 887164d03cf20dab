import type { TChatApp } from '../chat-app.js';
import { discordSetup } from './setup.js';
import type { TPostRateLimit } from '../types.js';
import { createDiscordBridge, discordInboundOrdering } from './discord-bridge.js';
import { startDiscordGateway } from './start-discord-gateway.js';
import { createDiscordWebhook } from './webhook.js';

const tenantLimit = (per10s: number): TPostRateLimit | null =>
  per10s > 0 ? { scope: 'tenant', capacity: per10s, perMs: 10_000 } : null;

/** Discord: one shared bot for every tenant; messages arrive over its gateway, one session per shard. */
export const discordChatApp: TChatApp = {
  kind: 'discord',
  createBridge: (config) =>
    createDiscordBridge({
      ...(config.discord ?? { apiUrl: 'https://discord.com/api' }),
      ...(config.discord?.tenantPostsPer10s === undefined
        ? {}
        : { tenantPostLimit: tenantLimit(config.discord.tenantPostsPer10s) }),
    }),
  inboundOrdering: discordInboundOrdering,
  setup: discordSetup,
  createWebhook: (config) => createDiscordWebhook({ publicKeyHex: config.discord?.publicKey }),
  createTransport: (config) => {
    const discord = config.discord;
    if (!discord?.botToken) return null;
    const botToken = discord.botToken;
    return {
      name: 'discord-gateway',
      start: (ports, log) =>
        startDiscordGateway({
          ports,
          log,
          botToken,
          apiUrl: discord.apiUrl,
          shardCount: discord.shardCount,
          leaseTtlMs: discord.shardLeaseMs,
        }),
    };
  },
};
