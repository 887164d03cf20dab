// The local demo's fake Slack + Discord process as `npm start` runs it (node --import tsx, configured by the
// environment): the consent screens approve at once and send the browser back with a code; the bot token is the
// configured one on every start; the operator console's replies reach PocketPing the platforms' way (a signed Slack
// Events API request); hostile text stays data; the console refuses foreign hosts and cross-origin writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './stack.js';
import { WebClient } from '@slack/web-api';
import { DEMO_DISCORD, DEMO_SLACK } from './fake-chat-apps-console.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..');
const SCRIPT = path.join(HERE, 'serve-fake-chat-apps.ts');
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
});

function run(env: Record<string, string>): {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('serve-fake-chat-apps (the local demo process)', () => {
  it('refuses a configuration it cannot serve, naming the variable', async () => {
    const none = run({});
    expect(await none.exited).toBe(2);
    expect(none.err()).toContain('neither SLACK_API_URL nor DISCORD_API_URL points at 127.0.0.1');
    const badSlack = run({
      SLACK_API_URL: 'http://127.0.0.1:1/api/',
      SLACK_CLIENT_ID: '1234.5678',
      WEB_PUBLIC_URL: 'http://localhost:3000',
    });
    expect(await badSlack.exited).toBe(2);
    expect(badSlack.err()).toContain('SLACK_CLIENT_SECRET is missing');
    expect(badSlack.err()).toContain('DEMO_SLACK_BOT_TOKEN is missing');
  });

  it('Slack and Discord: consent redirects, the same bot token, console replies delivered signed, hostile text kept as data', async () => {
    const hits: { headers: IncomingHttpHeaders; raw: string }[] = [];
    const receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        hits.push({ headers: req.headers, raw });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const webUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const [slackPort, discordPort, consolePort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      WEB_PUBLIC_URL: webUrl,
      SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
      SLACK_CLIENT_ID: '1111.2222',
      SLACK_CLIENT_SECRET: randomBytes(12).toString('hex'),
      SLACK_SIGNING_SECRET: randomBytes(12).toString('hex'),
      DEMO_SLACK_BOT_TOKEN: `xoxb-demo-${randomBytes(8).toString('hex')}`,
      DISCORD_API_URL: `http://127.0.0.1:${discordPort}/api`,
      DISCORD_BOT_TOKEN: `demo.${randomBytes(16).toString('hex')}`,
      DISCORD_APPLICATION_ID: '1180000000000000777',
      DISCORD_CLIENT_SECRET: randomBytes(12).toString('hex'),
      CHAT_APPS_CONSOLE_PORT: String(consolePort),
    };
    const proc = run(env);
    try {
      await waitFor('the console line', () => proc.out().includes('operator console on'));
      const consoleUrl = `http://127.0.0.1:${consolePort}`;

      // --- Slack: "Add to Slack" approves at once; the code gives the configured bot token ------------------------
      const redirect = `${webUrl}/api/integrations/slack/callback`;
      const auth = await fetch(
        `http://127.0.0.1:${slackPort}/oauth/v2/authorize?client_id=${env.SLACK_CLIENT_ID}&redirect_uri=${encodeURIComponent(redirect)}&state=st1&scope=chat:write`,
        { redirect: 'manual' },
      );
      expect(auth.status).toBe(302);
      const back = new URL(auth.headers.get('location')!);
      expect(back.searchParams.get('state')).toBe('st1');
      const slack = new WebClient(undefined, { slackApiUrl: env.SLACK_API_URL });
      const access = await slack.oauth.v2.access({
        client_id: env.SLACK_CLIENT_ID,
        client_secret: env.SLACK_CLIENT_SECRET,
        code: back.searchParams.get('code')!,
        redirect_uri: redirect,
      });
      expect(access).toMatchObject({ access_token: env.DEMO_SLACK_BOT_TOKEN, team: { id: DEMO_SLACK.teamId } });

      const bot = new WebClient(env.DEMO_SLACK_BOT_TOKEN, { slackApiUrl: env.SLACK_API_URL });
      const list = await bot.conversations.list({ types: 'public_channel' });
      expect(list.channels?.map((c) => c.name)).toContain('support');
      const parent = await bot.chat.postMessage({
        channel: DEMO_SLACK.channelId,
        text: 'New conversation — <img src=x onerror=alert(1)>',
      });
      await bot.chat.postMessage({
        channel: DEMO_SLACK.channelId,
        thread_ts: parent.ts!,
        text: '<script>alert(1)</script>',
      });

      const threads = (await (await fetch(`${consoleUrl}/console/api/threads`)).json()) as {
        threads: { app: string; id: string; title: string }[];
      };
      const st = threads.threads.find((t) => t.app === 'slack' && t.id === parent.ts);
      expect(st?.title).toBe('New conversation — <img src=x onerror=alert(1)>'); // data, not markup
      const thread = (await (await fetch(`${consoleUrl}/console/api/threads/slack/${parent.ts}`)).json()) as {
        messages: { text: string; fromBot: boolean }[];
      };
      expect(thread.messages.map((m) => m.text)).toEqual([
        'New conversation — <img src=x onerror=alert(1)>',
        '<script>alert(1)</script>',
      ]);

      const reply = await fetch(`${consoleUrl}/console/api/threads/slack/${parent.ts}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: consoleUrl },
        body: JSON.stringify({ text: 'Hi, Sam here' }),
      });
      expect(reply.status).toBe(200);
      const hit = await waitFor('the Slack event', () => hits.find((h) => h.raw.includes('Hi, Sam here')));
      const sig = `v0=${createHmac('sha256', env.SLACK_SIGNING_SECRET)
        .update(`v0:${String(hit.headers['x-slack-request-timestamp'])}:${hit.raw}`)
        .digest('hex')}`;
      expect(hit.headers['x-slack-signature']).toBe(sig);
      const event = (JSON.parse(hit.raw) as { event: { thread_ts: string; user: string; channel: string } }).event;
      expect(event).toMatchObject({ thread_ts: parent.ts, channel: DEMO_SLACK.channelId });

      // --- Discord: the bot's consent screen adds it to the demo server and goes back with code + guild_id ---------
      const dRedirect = `${webUrl}/api/integrations/discord/callback`;
      const dAuth = await fetch(
        `http://127.0.0.1:${discordPort}/oauth2/authorize?client_id=${env.DISCORD_APPLICATION_ID}&scope=bot&response_type=code&redirect_uri=${encodeURIComponent(dRedirect)}&state=st2`,
        { redirect: 'manual' },
      );
      expect(dAuth.status).toBe(302);
      const dBack = new URL(dAuth.headers.get('location')!);
      expect(dBack.searchParams.get('guild_id')).toBe(DEMO_DISCORD.guildId);
      expect(dBack.searchParams.get('state')).toBe('st2');
      const token = await fetch(`${env.DISCORD_API_URL}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: env.DISCORD_APPLICATION_ID,
          client_secret: env.DISCORD_CLIENT_SECRET,
          grant_type: 'authorization_code',
          code: dBack.searchParams.get('code')!,
          redirect_uri: dRedirect,
        }),
      });
      expect(((await token.json()) as { guild: { id: string } }).guild.id).toBe(DEMO_DISCORD.guildId);
      const rest = (p: string, body?: unknown) =>
        fetch(`${env.DISCORD_API_URL}/v10${p}`, {
          method: body ? 'POST' : 'GET',
          headers: { authorization: `Bot ${env.DISCORD_BOT_TOKEN}`, 'content-type': 'application/json' },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
      expect((await rest('/users/@me')).json.id).toBe(env.DISCORD_APPLICATION_ID);
      const created = await rest(`/channels/${DEMO_DISCORD.channelId}/threads`, {
        name: 'Visitor from /pricing',
        type: 11,
      });
      expect(created.status).toBe(201);
      const threadId = String(created.json.id);
      await rest(`/channels/${threadId}/messages`, { content: 'hello from the bot', allowed_mentions: { parse: [] } });
      const dReply = await fetch(`${consoleUrl}/console/api/threads/discord/${threadId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Dora here' }),
      });
      expect(dReply.status).toBe(200);
      const dThread = (await (await fetch(`${consoleUrl}/console/api/threads/discord/${threadId}`)).json()) as {
        messages: { text: string; author: string; fromBot: boolean }[];
      };
      expect(dThread.messages.map((m) => [m.author, m.text])).toEqual([
        ['PocketPing (bot)', 'hello from the bot'],
        ['Dora', 'Dora here'],
      ]);

      // --- The console's guards ------------------------------------------------------------------------------------
      // DNS rebinding: a page on another name resolving to 127.0.0.1 gets nothing (fetch cannot set Host: raw http).
      const rebound = await new Promise<number>((resolve, reject) =>
        request(
          {
            host: '127.0.0.1',
            port: consolePort,
            path: '/console/api/threads',
            headers: { host: `evil.example:${consolePort}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
          .on('error', reject)
          .end(),
      );
      expect(rebound).toBe(421);
      const cross = await fetch(`${consoleUrl}/console/api/threads/slack/${parent.ts}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
        body: JSON.stringify({ text: 'x' }),
      });
      expect(cross.status).toBe(403);
      const empty = await fetch(`${consoleUrl}/console/api/threads/slack/${parent.ts}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: '  ' }),
      });
      expect(empty.status).toBe(400);
      expect(
        (
          await fetch(`${consoleUrl}/console/api/threads/slack/1.2/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ text: 'x' }),
          })
        ).status,
      ).toBe(404);
      const page = await fetch(`${consoleUrl}/`);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });
});
