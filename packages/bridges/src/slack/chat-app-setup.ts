import { z } from 'zod';
import { ZSetupId } from '../setup-ids.js';
import { setupStep, type TBrowserAnswer, type TChatAppSetup, type TSetupStep } from '../setup-ports.js';
import { ZSlackCredentials } from './credentials.js';
import { finishSlackInstall, startSlackInstall, type TSlackOAuthResult } from './install.js';
import { connectSlackChannel, describeSlackSetup, slackInstallUrl, startSlackWithToken } from './setup.js';
import { postSlackText } from './setup-slack.js';

const toBrowserAnswer = (r: TSlackOAuthResult): TBrowserAnswer => ({
  ...(r.location ? { redirect: r.location } : { status: r.status, body: r.body }),
  ...(r.cookie ? { cookies: [r.cookie] } : {}),
});

/** "Add to Slack": redirect to Slack's consent screen (no input). */
const install: TSetupStep = {
  method: 'GET',
  opensSetup: 'redirect',
  run: async (ports, scope) => ({ redirect: slackInstallUrl(ports, scope) }),
};

/**
 * The dashboard's Slack setup — "Add to Slack" or a pasted bot token, then a channel picker — and the browser steps
 * of the OAuth install (/api/integrations/slack/install for API clients, /api/integrations/slack/callback for both).
 */
export const slackSetup: TChatAppSetup = {
  steps: {
    install,
    token: setupStep({
      method: 'POST',
      input: z.object({ botToken: z.string().min(1).max(300) }),
      rateLimit: { bucket: 'bridge-token', max: 30, windowSeconds: 600 },
      opensSetup: 'json',
      run: async (ports, scope, body) => ({
        json: await startSlackWithToken(ports, { ...scope, botToken: body.botToken }),
      }),
    }),
    channels: setupStep({
      method: 'GET',
      input: z.object({ setupId: ZSetupId }),
      run: async (ports, scope, query) => ({ json: await describeSlackSetup(ports, scope, query.setupId) }),
    }),
    connect: setupStep({
      method: 'POST',
      input: z.object({
        setupId: ZSetupId,
        channelId: z.string().regex(/^[CG][A-Z0-9]{2,30}$/, 'not a Slack channel id'),
      }),
      run: async (ports, scope, body) => ({ json: await connectSlackChannel(ports, scope, body) }),
    }),
  },
  browser: {
    install: async (ports, req) =>
      toBrowserAnswer(await startSlackInstall(ports, { authorization: req.header('authorization'), query: req.query })),
    callback: async (ports, req) =>
      toBrowserAnswer(await finishSlackInstall(ports, { query: req.query, cookie: req.header('cookie') })),
  },
  async postTestMessage(config, connection, text) {
    const s = ZSlackCredentials.parse(connection.credentials());
    await postSlackText({ apiUrl: config.slack?.apiUrl, botToken: s.botToken, channelId: connection.targetId, text });
  },
};
