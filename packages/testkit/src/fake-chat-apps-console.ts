// Operator console of the local demo for the fake Slack and the fake Discord: a tiny web page where a newcomer plays
// the support operator ("Sam" in Slack, "Dora" in Discord) and answers in the thread the app opened for a visitor.
// Replies go through the fakes' `operatorWrites`, so they reach PocketPing exactly as the real platforms deliver
// them (a signed Events API request for Slack, a MESSAGE_CREATE on the gateway for Discord).
//
//   GET  /                                      the page (static shell; the script renders and refreshes it)
//   GET  /console.js, /console.css              its script and styles (no inline script or style: strict CSP)
//   GET  /console/api/threads                   every thread of both apps, newest first (JSON)
//   GET  /console/api/threads/:app/:id          one thread and its messages in order (JSON)
//   POST /console/api/threads/:app/:id/messages {"text": "..."} → the operator writes it in that thread
//
// Everything a visitor or a bot wrote is hostile: the JSON carries raw text, and the script only ever sets
// textContent. Local demo tool only: it answers loopback host names only (DNS rebinding) and same-origin writes.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TFakeDiscord } from './fake-discord.js';
import type { TFakeSlack } from './fake-slack.js';
import { CONSOLE_PAGE_CSP, HttpError, readJsonBody, send, sendJson } from './console-http.js';

/** The demo workspace and server the serve script creates, the same on every start. */
export const DEMO_SLACK = {
  teamId: 'T0PPDEMO01',
  teamName: 'PocketPing demo',
  channelId: 'C0PPSUPPORT',
  channelName: 'support',
  operator: { name: 'sam', displayName: 'Sam', realName: 'Sam Rivera' },
} as const;
export const DEMO_DISCORD = {
  guildId: '1180000000000000001',
  guildName: 'PocketPing demo',
  channelId: '1180000000000000002',
  channelName: 'support',
  operator: { id: '1180000000000000042', username: 'dora', globalName: 'Dora' },
} as const;

export type TChatApp = 'slack' | 'discord';

export interface TChatAppsConsoleOptions {
  port: number;
  slack?: { fake: TFakeSlack; channel: string; operator: { id: string; name: string } };
  discord?: {
    fake: TFakeDiscord;
    guildId: string;
    channelId: string;
    operator: { id: string; username: string; globalName: string };
  };
}

export interface TConsoleThread {
  app: TChatApp;
  id: string;
  title: string;
  messageCount: number;
  /** Unix ms of the newest message (or of the thread's opening). */
  lastAt: number;
  lastPreview: string;
}

export interface TConsoleThreadMessage {
  id: string;
  author: string;
  fromBot: boolean;
  text: string;
  files: string[];
  at: number;
  edited: boolean;
  deleted: boolean;
}

const TEXT_MAX = 4000;
const PREVIEW_CHARS = 90;
const DISCORD_EPOCH = 1_420_070_400_000n;

const preview = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
};
const firstLine = (text: string): string => preview(text.split('\n').find((l) => l.trim() !== '') ?? '') || '(no text)';
const slackMs = (ts: string): number => Math.round(Number(ts) * 1000);
const snowflakeMs = (id: string): number => {
  try {
    return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
  } catch {
    return 0;
  }
};

function slackThreads(
  o: NonNullable<TChatAppsConsoleOptions['slack']>,
): { thread: TConsoleThread; messages: TConsoleThreadMessage[] }[] {
  const all = o.fake.messages(o.channel);
  const files = new Map(o.fake.files().map((f) => [f.id, f.name]));
  const toMessage = (m: (typeof all)[number]): TConsoleThreadMessage => ({
    id: m.ts,
    author: m.botId ? 'PocketPing (app)' : m.user === o.operator.id ? o.operator.name : m.user,
    fromBot: Boolean(m.botId),
    text: m.text,
    files: (m.files ?? []).map((id) => files.get(id) ?? id),
    at: slackMs(m.ts),
    edited: m.edited,
    deleted: m.deleted,
  });
  // A thread: a parent the app posted in the channel, with its replies.
  return all
    .filter((m) => m.threadTs === undefined && m.botId && !m.deleted)
    .map((parent) => {
      const messages = all.filter((m) => m.ts === parent.ts || m.threadTs === parent.ts).map(toMessage);
      const last = messages.filter((m) => !m.deleted).at(-1);
      return {
        thread: {
          app: 'slack' as const,
          id: parent.ts,
          title: firstLine(parent.text),
          messageCount: messages.length,
          lastAt: last?.at ?? slackMs(parent.ts),
          lastPreview: last ? preview(last.text || last.files.join(', ')) : '',
        },
        messages,
      };
    });
}

function discordThreads(
  o: NonNullable<TChatAppsConsoleOptions['discord']>,
): { thread: TConsoleThread; messages: TConsoleThreadMessage[] }[] {
  const starters = new Map(o.fake.messages(o.channelId).map((m) => [m.id, m]));
  return o.fake
    .threads(o.channelId)
    .filter((t) => !t.deleted)
    .map((t) => {
      const starter = starters.get(t.id);
      const raw = [...(starter ? [starter] : []), ...o.fake.messages(t.id)];
      const messages: TConsoleThreadMessage[] = raw.map((m) => ({
        id: m.id,
        author: m.author.bot ? `${m.author.username} (bot)` : (m.author.global_name ?? m.author.username),
        fromBot: Boolean(m.author.bot),
        text: m.content,
        files: (m.attachments ?? []).map((a) => a.filename),
        at: snowflakeMs(m.id),
        edited: m.edited_timestamp !== null,
        deleted: m.deleted,
      }));
      const last = messages.filter((m) => !m.deleted).at(-1);
      return {
        thread: {
          app: 'discord' as const,
          id: t.id,
          title: t.name,
          messageCount: messages.length,
          lastAt: last?.at ?? snowflakeMs(t.id),
          lastPreview: last ? preview(last.text || last.files.join(', ')) : '',
        },
        messages,
      };
    });
}

/** Starts the console's HTTP server on 127.0.0.1. */
export async function startChatAppsConsole(
  opts: TChatAppsConsoleOptions,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const assets = new Map<string, string>();
  const asset = (name: string): string => {
    let body = assets.get(name);
    if (body === undefined) {
      body = readFileSync(new URL(name, import.meta.url), 'utf8');
      assets.set(name, body);
    }
    return body;
  };
  const everything = () => [
    ...(opts.slack ? slackThreads(opts.slack) : []),
    ...(opts.discord ? discordThreads(opts.discord) : []),
  ];
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!hosts.includes((req.headers.host ?? '').toLowerCase())) {
      send(
        res,
        421,
        'text/plain; charset=utf-8',
        'The operator console only answers on http://127.0.0.1 or http://localhost.\n',
      );
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/health') return sendJson(res, 200, { ok: true });
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/console.js' || path === '/console.css') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');
      if (path === '/console.js')
        return send(res, 200, 'text/javascript; charset=utf-8', asset('./fake-chat-apps-console.browser.js'));
      if (path === '/console.css')
        return send(res, 200, 'text/css; charset=utf-8', asset('./fake-chat-apps-console.css'));
      const apps = [opts.slack ? 'Slack (you are Sam)' : '', opts.discord ? 'Discord (you are Dora)' : '']
        .filter(Boolean)
        .join(' · ');
      return send(res, 200, 'text/html; charset=utf-8', renderShell(apps), {
        'content-security-policy': CONSOLE_PAGE_CSP,
        'x-frame-options': 'DENY',
      });
    }
    if (path === '/console/api/threads') {
      if (method !== 'GET') throw new HttpError(405, 'method not allowed');
      const threads = everything()
        .map((t) => t.thread)
        .sort((a, b) => b.lastAt - a.lastAt);
      return sendJson(res, 200, {
        ok: true,
        apps: { slack: Boolean(opts.slack), discord: Boolean(opts.discord) },
        threads,
      });
    }
    const m = /^\/console\/api\/threads\/(slack|discord)\/([0-9.]{1,40})(\/messages)?$/.exec(path);
    if (!m) throw new HttpError(404, 'not found');
    const app = m[1] as TChatApp;
    const id = m[2]!;
    const found = everything().find((t) => t.thread.app === app && t.thread.id === id);
    if (!m[3]) {
      if (method !== 'GET') throw new HttpError(405, 'method not allowed');
      if (!found) throw new HttpError(404, `no ${app} thread ${id}`);
      return sendJson(res, 200, { ok: true, thread: found.thread, messages: found.messages });
    }
    if (method !== 'POST') throw new HttpError(405, 'method not allowed');
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`))
      throw new HttpError(403, 'cross-origin writes are not allowed');
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json'))
      throw new HttpError(415, 'send the reply as application/json: {"text": "..."}');
    const body = await readJsonBody(req);
    const text = typeof body === 'object' && body !== null ? (body as { text?: unknown }).text : undefined;
    if (typeof text !== 'string' || text.trim() === '') throw new HttpError(400, 'text must be a non-empty string');
    if (text.length > TEXT_MAX) throw new HttpError(400, `text is longer than ${TEXT_MAX} characters`);
    if (!found) throw new HttpError(404, `no ${app} thread ${id} (deleted?)`);
    if (app === 'slack' && opts.slack) {
      const r = await opts.slack.fake.operatorWrites({
        channel: opts.slack.channel,
        thread_ts: id,
        text,
        user: opts.slack.operator.id,
      });
      return sendJson(res, 200, { ok: true, id: r.ts, delivery: r.deliveries.at(-1)?.status ?? null });
    }
    if (app === 'discord' && opts.discord) {
      const d = opts.discord;
      const msg = d.fake.operatorWrites({
        guildId: d.guildId,
        threadId: id,
        content: text,
        author: { id: d.operator.id, username: d.operator.username, global_name: d.operator.globalName },
      });
      return sendJson(res, 200, { ok: true, id: msg.id, delivery: 'gateway' });
    }
    throw new HttpError(404, `${app} is not served here`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof HttpError) return sendJson(res, err.status, { ok: false, error: err.message });
      sendJson(res, 500, { ok: false, error: err instanceof Error ? err.message : String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function renderShell(apps: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Fake Slack and Discord — operator console (local demo only)</title>
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body>
<header class="bar"><h1>Fake Slack and Discord — operator console (local demo only)</h1><p class="meta">${esc(apps)} <span class="live" data-c="status">connecting…</span></p></header>
<div class="app">
<nav class="threads" aria-label="Threads"><h2>Threads</h2><ul data-c="thread-list"></ul>
<p class="empty" data-c="no-threads">No threads yet. Connect Slack or Discord to the demo project in the dashboard, then write in the chat widget of the demo page: the app opens a thread here for the visitor.</p></nav>
<main class="thread"><h2 data-c="thread-title">No thread selected</h2><ol class="messages" data-c="message-list"></ol>
<form class="composer" data-c="reply-form" hidden><label class="sr-only" for="reply-input">Reply</label>
<textarea id="reply-input" data-c="reply-input" rows="2" maxlength="${TEXT_MAX}" placeholder="Reply (Enter sends, Shift+Enter: new line)" required></textarea>
<button type="submit">Send</button><p class="reply-status" data-c="reply-status" role="status"></p></form>
<noscript><p class="empty">This console needs JavaScript.</p></noscript></main>
</div>
</body>
</html>
`;
}
