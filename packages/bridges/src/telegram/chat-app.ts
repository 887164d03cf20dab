import type { TChatApp } from '../chat-app.js';
import { telegramSetup } from './setup.js';
import { startTelegramPolling } from './long-polling.js';
import { createTelegramBridge, telegramInboundOrdering } from './telegram-bridge.js';
import { telegramWebhook } from './webhook.js';

/** Telegram: one bot per connection; updates arrive on its webhook URL, or by long polling without a public URL. */
export const telegramChatApp: TChatApp = {
  kind: 'telegram',
  createBridge: (config) => createTelegramBridge(config.telegram),
  inboundOrdering: telegramInboundOrdering,
  setup: telegramSetup,
  createWebhook: () => telegramWebhook,
  createTransport: (config) => {
    const updates = config.telegramUpdates;
    if (!updates) return null;
    return {
      name: 'telegram-polling',
      start: (ports, log) => startTelegramPolling(ports, log, { ...updates, apiRoot: config.telegram.apiRoot }),
    };
  },
};
