import type { TChatApp } from '../chat-app.js';
import { slackSetup } from './chat-app-setup.js';
import type { TPostRateLimit } from '../types.js';
import { createSlackBridge, slackInboundOrdering } from './slack-bridge.js';
import { startSlackSocket } from './start-slack-socket.js';
import { createSlackWebhook } from './webhook.js';

const tenantLimit = (per10s: number): TPostRateLimit | null =>
  per10s > 0 ? { scope: 'tenant', capacity: per10s, perMs: 10_000 } : null;

/** Slack: one shared app for every tenant; events arrive on the Events API URL, or over Socket Mode. */
export const slackChatApp: TChatApp = {
  kind: 'slack',
  createBridge: (config) =>
    createSlackBridge({
      apiUrl: config.slack?.apiUrl,
      ...(config.slack?.channelPostsPer10s === undefined
        ? {}
        : {
            channelPostLimit:
              config.slack.channelPostsPer10s > 0
                ? { scope: 'target', capacity: config.slack.channelPostsPer10s, perMs: 10_000 }
                : null,
          }),
      ...(config.slack?.tenantPostsPer10s === undefined
        ? {}
        : { tenantPostLimit: tenantLimit(config.slack.tenantPostsPer10s) }),
    }),
  inboundOrdering: slackInboundOrdering,
  setup: slackSetup,
  createWebhook: (config) => createSlackWebhook({ signingSecret: config.slack?.signingSecret }),
  createTransport: (config) => {
    const slack = config.slack;
    if (!slack?.appToken) return null;
    const appToken = slack.appToken;
    return {
      name: 'slack-socket-mode',
      start: (ports, log) => startSlackSocket({ ports, log, appToken, apiUrl: slack.apiUrl }),
    };
  },
};
