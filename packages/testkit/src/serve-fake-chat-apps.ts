// Runs the fake Slack and the fake Discord as one long-lived local process for the demo (`npm start`, no internet
// needed), with an operator console where you answer visitors as "Sam" (Slack) or "Dora" (Discord):
//
//   node --import tsx packages/testkit/src/serve-fake-chat-apps.ts      (configured by the environment, below)
//
// Slack is served when SLACK_API_URL points at 127.0.0.1/localhost, with SLACK_CLIENT_ID, SLACK_CLIENT_SECRET,
// SLACK_SIGNING_SECRET and DEMO_SLACK_BOT_TOKEN: a workspace "PocketPing demo" with a #support channel, whose
// "Add to Slack" consent approves at once; events go to WEB_PUBLIC_URL/api/webhooks/slack, signed.
// Discord is served when DISCORD_API_URL points at 127.0.0.1/localhost, with DISCORD_BOT_TOKEN,
// DISCORD_APPLICATION_ID and DISCORD_CLIENT_SECRET: a server "PocketPing demo" with a #support channel; the bot's
// consent screen approves at once; the worker's gateway connection gets MESSAGE_CREATE for the console's replies.
// The console listens on CHAT_APPS_CONSOLE_PORT (default 8084). Ids and tokens are the same on every start, so a
// connection made in the dashboard keeps working after a restart; messages live in memory (after a restart the next
// message of a conversation opens a new thread).
// Local demo tool only: everything binds 127.0.0.1.
import { z } from 'zod';
import { startFakeSlack, type TFakeSlack } from './fake-slack.js';
import { startFakeDiscord, type TFakeDiscord } from './fake-discord.js';
import {
  DEMO_DISCORD,
  DEMO_SLACK,
  startChatAppsConsole,
  type TChatAppsConsoleOptions,
} from './fake-chat-apps-console.js';

const localUrl = z
  .string()
  .url()
  .refine(
    (u) => /^http:\/\/(127\.0\.0\.1|localhost):\d+(\/|$)/.test(u),
    'must be http://127.0.0.1:<port>/… (a local fake)',
  );
const secret = z.string().min(8);

const ZSlackEnv = z.object({
  SLACK_API_URL: localUrl,
  SLACK_CLIENT_ID: secret,
  SLACK_CLIENT_SECRET: secret,
  SLACK_SIGNING_SECRET: secret,
  DEMO_SLACK_BOT_TOKEN: z.string().regex(/^xoxb-[A-Za-z0-9-]{10,}$/, 'must look like xoxb-…'),
  WEB_PUBLIC_URL: z.string().url(),
});
const ZDiscordEnv = z.object({
  DISCORD_API_URL: localUrl,
  DISCORD_BOT_TOKEN: secret,
  DISCORD_APPLICATION_ID: z.string().regex(/^\d{17,20}$/, 'must be a numeric application id'),
  DISCORD_CLIENT_SECRET: secret,
});

const isLocal = (v: string | undefined) => v !== undefined && /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(v);

function parsePart<T>(schema: z.ZodType<T>, what: string): T {
  const r = schema.safeParse(process.env);
  if (r.success) return r.data;
  for (const issue of r.error.issues)
    console.error(
      `fake chat apps (${what}): ${issue.path.join('.')} ${process.env[String(issue.path[0])] ? `is invalid: ${issue.message}` : 'is missing'}`,
    );
  process.exit(2);
}

async function main(): Promise<void> {
  const wantSlack = isLocal(process.env.SLACK_API_URL);
  const wantDiscord = isLocal(process.env.DISCORD_API_URL);
  if (!wantSlack && !wantDiscord) {
    console.error('fake chat apps: neither SLACK_API_URL nor DISCORD_API_URL points at 127.0.0.1 — nothing to serve');
    process.exit(2);
  }
  const slackEnv = wantSlack ? parsePart(ZSlackEnv, 'Slack') : null;
  const discordEnv = wantDiscord ? parsePart(ZDiscordEnv, 'Discord') : null;
  const consolePort = Number(process.env.CHAT_APPS_CONSOLE_PORT ?? '8084');
  if (!Number.isInteger(consolePort) || consolePort < 0 || consolePort > 65535) {
    console.error(
      `fake chat apps: CHAT_APPS_CONSOLE_PORT must be a port number (got "${process.env.CHAT_APPS_CONSOLE_PORT}")`,
    );
    process.exit(2);
  }

  let slack: TFakeSlack | null = null;
  let discord: TFakeDiscord | null = null;
  const consoleOpts: TChatAppsConsoleOptions = { port: consolePort };
  try {
    if (slackEnv) {
      slack = await startFakeSlack({
        port: Number(new URL(slackEnv.SLACK_API_URL).port),
        clientId: slackEnv.SLACK_CLIENT_ID,
        clientSecret: slackEnv.SLACK_CLIENT_SECRET,
        signingSecret: slackEnv.SLACK_SIGNING_SECRET,
        eventsUrl: new URL('/api/webhooks/slack', slackEnv.WEB_PUBLIC_URL).toString(),
      });
      slack.addTeam({ id: DEMO_SLACK.teamId, name: DEMO_SLACK.teamName });
      // The install "Add to Slack" finds (oauth.v2.access answers this bot's token): the same token every start.
      const bot = slack.addBot({ teamId: DEMO_SLACK.teamId, token: slackEnv.DEMO_SLACK_BOT_TOKEN, name: 'PocketPing' });
      const operator = slack.addUser({ teamId: DEMO_SLACK.teamId, ...DEMO_SLACK.operator });
      slack.addChannel({
        teamId: DEMO_SLACK.teamId,
        id: DEMO_SLACK.channelId,
        name: DEMO_SLACK.channelName,
        members: [bot.botUserId, operator.id],
      });
      consoleOpts.slack = {
        fake: slack,
        channel: DEMO_SLACK.channelId,
        operator: { id: operator.id, name: DEMO_SLACK.operator.displayName },
      };
    }
    if (discordEnv) {
      discord = await startFakeDiscord({
        port: Number(new URL(discordEnv.DISCORD_API_URL).port),
        token: discordEnv.DISCORD_BOT_TOKEN,
        applicationId: discordEnv.DISCORD_APPLICATION_ID,
        clientSecret: discordEnv.DISCORD_CLIENT_SECRET,
      });
      // The bot is already a member, so a connection made in the dashboard survives a restart of this process (the
      // dashboard's "Add the bot to your server" still goes through the consent screen, which approves at once).
      discord.addGuild({ id: DEMO_DISCORD.guildId, name: DEMO_DISCORD.guildName, botInGuild: true });
      discord.addTextChannel(DEMO_DISCORD.guildId, { id: DEMO_DISCORD.channelId, name: DEMO_DISCORD.channelName });
      consoleOpts.discord = {
        fake: discord,
        guildId: DEMO_DISCORD.guildId,
        channelId: DEMO_DISCORD.channelId,
        operator: DEMO_DISCORD.operator,
      };
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(
      e.code === 'EADDRINUSE'
        ? `fake chat apps: a port is already in use (${e.message}) — another demo still running?`
        : `fake chat apps: failed to start: ${e.message}`,
    );
    process.exit(1);
  }
  const consoleServer = await startChatAppsConsole(consoleOpts).catch((err: unknown) => {
    console.error(`fake chat apps: the console could not listen on port ${consolePort}: ${(err as Error).message}`);
    process.exit(1);
  });

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 2000).unref();
    void Promise.allSettled([consoleServer.close(), slack?.close(), discord?.close()]).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (slack)
    console.log(
      `fake Slack listening on ${slack.apiUrl} (workspace ${DEMO_SLACK.teamName}, #${DEMO_SLACK.channelName})`,
    );
  if (discord)
    console.log(
      `fake Discord listening on ${discord.apiUrl} (server ${DEMO_DISCORD.guildName}, #${DEMO_DISCORD.channelName})`,
    );
  console.log(`operator console on ${consoleServer.url}`);
}

await main();
