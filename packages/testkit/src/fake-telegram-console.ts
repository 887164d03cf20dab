// Operator console of the local demo: a tiny web page on the fake Telegram server where a newcomer plays the
// support operator ("Sarah") writing in the forum topic the bot opened for a visitor. It is plugged into the fake
// through the `extraRoutes` option, so what Sarah writes goes through `operatorWrites` — the update reaches the
// registered webhook (or getUpdates) exactly as one from Telegram would.
//
//   GET  /                                        page (server-rendered; ?topic=<threadId> selects a topic)
//   GET  /console.js, /console.css                its script and styles (no inline script/style/handlers: CSP)
//   GET  /console/api/topics                      topics of the forum group, newest first (JSON)
//   GET  /console/api/topics/:threadId            one topic and its messages in order (JSON)
//   POST /console/api/topics/:threadId/messages   {"text": "..."} → Sarah writes it in the topic
//
// Everything a visitor or a bot wrote is hostile: the JSON carries raw text (it escapes nothing — JSON is data),
// the server-rendered page escapes every piece of text, and the script builds DOM nodes with textContent only.
// Bot posts are formatted from their message entities (what Telegram made of the HTML), never by injecting HTML.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TFakeTelegram } from './fake-telegram.js';
import { CONSOLE_PAGE_CSP, HttpError, readJsonBody, send, sendJson } from './console-http.js';

export interface TOperatorConsoleOptions {
  /** The bot whose forum group the console shows (the token passed to the fake's addBot). */
  token: string;
  chatId: number;
  /** Shown in the header. */
  botUsername?: string;
  /** Who writes from the console; defaults to Sarah. */
  operator?: TConsoleOperator;
  /** Auto-refresh period of the page, 1000–2000 ms (default 1500). */
  refreshMs?: number;
}

export type TConsoleRoutes = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  fake: TFakeTelegram,
) => Promise<boolean>;

export const CONSOLE_TITLE = 'Fake Telegram — operator console (local demo only)';
export type TConsoleOperator = { id: number; first_name: string; last_name?: string; username?: string };
export const DEFAULT_CONSOLE_OPERATOR: TConsoleOperator = {
  id: 5_000_000_042,
  first_name: 'Sarah',
  username: 'sarah_pocketping',
};

const GENERAL_THREAD_ID = 1;
const TEXT_MAX = 4096;
const PREVIEW_CHARS = 90;

// ---------------------------------------------------------------------------------------------------------------
// Escaping and formatting
// ---------------------------------------------------------------------------------------------------------------

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

export type TConsoleMark = 'b' | 'i' | 'u' | 's' | 'code' | 'pre';
/** A run of text with the same formatting: what the page renders (escaped) and the script builds as DOM nodes. */
export interface TConsoleSegment {
  text: string;
  marks: TConsoleMark[];
  href?: string;
}

const MARK_OF_ENTITY: Record<string, TConsoleMark> = {
  bold: 'b',
  italic: 'i',
  underline: 'u',
  strikethrough: 's',
  code: 'code',
  pre: 'pre',
};
/** Outermost first, so that e.g. bold text inside a <pre> block becomes <pre><b>…</b></pre>. */
const MARK_ORDER: TConsoleMark[] = ['pre', 'code', 'b', 'i', 'u', 's'];

/** Only links a browser cannot execute: http(s), mailto and tg. Anything else (javascript:, data:, …) is dropped. */
export function safeHref(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const parsed = new URL(url);
    return ['http:', 'https:', 'mailto:', 'tg:'].includes(parsed.protocol) ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits a message's text at its entity boundaries (offsets are UTF-16 units, like JS strings). Unknown entity
 * types (spoiler, blockquote, mentions …) leave the text plain; a text_link keeps its URL only when safeHref allows.
 */
export function toSegments(text: string, entities: unknown): TConsoleSegment[] {
  const spans: { start: number; end: number; mark?: TConsoleMark; href?: string }[] = [];
  if (Array.isArray(entities)) {
    for (const e of entities as unknown[]) {
      if (typeof e !== 'object' || e === null) continue;
      const { type, offset, length, url } = e as { type?: unknown; offset?: unknown; length?: unknown; url?: unknown };
      if (typeof type !== 'string' || typeof offset !== 'number' || typeof length !== 'number') continue;
      const start = Math.max(0, Math.min(text.length, Math.floor(offset)));
      const end = Math.max(start, Math.min(text.length, Math.floor(offset + length)));
      if (end === start) continue;
      const mark = MARK_OF_ENTITY[type];
      if (mark) spans.push({ start, end, mark });
      else if (type === 'text_link') {
        const href = safeHref(url);
        if (href) spans.push({ start, end, href });
      }
    }
  }
  const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  const out: TConsoleSegment[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const from = cuts[k] ?? 0;
    const to = cuts[k + 1] ?? 0;
    const active = spans.filter((s) => s.start <= from && s.end >= to);
    const marks = MARK_ORDER.filter((m) => active.some((s) => s.mark === m));
    const href = active.filter((s) => s.href).pop()?.href;
    const segment: TConsoleSegment = { text: text.slice(from, to), marks };
    if (href) segment.href = href;
    const prev = out[out.length - 1];
    if (prev && prev.href === segment.href && prev.marks.join() === segment.marks.join()) prev.text += segment.text;
    else out.push(segment);
  }
  return out;
}

function renderSegments(segments: TConsoleSegment[]): string {
  return segments
    .map((seg) => {
      let html = escapeHtml(seg.text);
      for (const mark of [...seg.marks].reverse()) html = `<${mark}>${html}</${mark}>`;
      if (seg.href)
        html = `<a href="${escapeHtml(seg.href)}" target="_blank" rel="noopener noreferrer nofollow">${html}</a>`;
      return html;
    })
    .join('');
}

// ---------------------------------------------------------------------------------------------------------------
// View models (the JSON API)
// ---------------------------------------------------------------------------------------------------------------

type TJson = Record<string, unknown>;

interface TConsoleMessage {
  messageId: number;
  fromBot: boolean;
  sender: string;
  date: number;
  edited: boolean;
  deleted: boolean;
  kind: 'text' | 'photo' | 'document' | 'other';
  fileName?: string;
  /** Raw text (or caption) exactly as Telegram stores it: not escaped. */
  text: string;
  segments: TConsoleSegment[];
}

interface TConsoleTopic {
  threadId: number;
  name: string;
  closed: boolean;
  general: boolean;
  messageCount: number;
  last?: { preview: string; date: number; fromBot: boolean };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function toConsoleMessage(row: {
  message: TJson;
  fromBot: boolean;
  deleted: boolean;
  edited: boolean;
}): TConsoleMessage {
  const m = row.message;
  const from = (typeof m.from === 'object' && m.from !== null ? m.from : {}) as TJson;
  const sender = row.fromBot
    ? `@${str(from.username) ?? 'bot'}`
    : [str(from.first_name), str(from.last_name)].filter(Boolean).join(' ') || str(from.username) || 'Someone';
  const text = str(m.text) ?? str(m.caption) ?? '';
  const entities = m.entities ?? m.caption_entities;
  const kind = 'photo' in m ? 'photo' : 'document' in m ? 'document' : 'text' in m ? 'text' : 'other';
  const out: TConsoleMessage = {
    messageId: Number(m.message_id),
    fromBot: row.fromBot,
    sender,
    date: typeof m.date === 'number' ? m.date : 0,
    edited: row.edited,
    deleted: row.deleted,
    kind,
    text,
    segments: toSegments(text, entities),
  };
  const doc = m.document as TJson | undefined;
  if (kind === 'document' && doc && typeof doc.file_name === 'string') out.fileName = doc.file_name;
  return out;
}

function preview(msg: TConsoleMessage): string {
  const label = msg.kind === 'photo' ? '[photo] ' : msg.kind === 'document' ? '[file] ' : '';
  const flat = (label + msg.text).replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}

function topicRow(
  fake: TFakeTelegram,
  chatId: number,
  t: { threadId: number; name: string; closed: boolean },
  general: boolean,
): TConsoleTopic {
  const msgs = fake
    .messageObjects(chatId, t.threadId)
    .filter((m) => !m.deleted)
    .map(toConsoleMessage);
  const row: TConsoleTopic = {
    threadId: t.threadId,
    name: t.name,
    closed: t.closed,
    general,
    messageCount: msgs.length,
  };
  const last = msgs[msgs.length - 1];
  if (last) row.last = { preview: preview(last), date: last.date, fromBot: last.fromBot };
  return row;
}

/** Forum topics newest first (thread ids grow with creation), then General when something was posted there. */
function listTopics(fake: TFakeTelegram, chatId: number): TConsoleTopic[] {
  const topics = fake
    .topics(chatId)
    .sort((a, b) => b.threadId - a.threadId)
    .map((t) => topicRow(fake, chatId, t, false));
  const general = topicRow(fake, chatId, { threadId: GENERAL_THREAD_ID, name: 'General', closed: false }, true);
  return general.messageCount > 0 ? [...topics, general] : topics;
}

function findTopic(fake: TFakeTelegram, chatId: number, threadId: number): TConsoleTopic | undefined {
  return listTopics(fake, chatId).find((t) => t.threadId === threadId);
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------------------------

/** Static assets next to this file, read once. */
const assetCache = new Map<string, string>();
function asset(name: string): string {
  let body = assetCache.get(name);
  if (body === undefined) {
    body = readFileSync(new URL(name, import.meta.url), 'utf8');
    assetCache.set(name, body);
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------------------------

function formatTime(unix: number): string {
  const d = new Date(unix * 1000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function renderTopicItem(t: TConsoleTopic, selected: boolean): string {
  const sub = t.last ? `${t.last.fromBot ? '' : 'Operator: '}${t.last.preview}` : 'No messages yet';
  return (
    `<li><a class="topic${selected ? ' selected' : ''}${t.closed ? ' closed' : ''}" href="/?topic=${t.threadId}" ` +
    `data-tg="${t.general ? 'general' : 'topic'}" data-thread-id="${t.threadId}"${selected ? ' aria-current="true"' : ''}>` +
    `<span class="topic-name">${escapeHtml(t.name)}</span>` +
    (t.closed ? '<span class="badge">closed</span>' : '') +
    `<span class="topic-sub">${escapeHtml(sub)}</span></a></li>`
  );
}

function renderMessage(m: TConsoleMessage): string {
  const cls = ['msg', m.fromBot ? 'from-bot' : 'from-human', m.deleted ? 'deleted' : ''].filter(Boolean).join(' ');
  const media =
    m.kind === 'photo'
      ? '<span class="media">[photo]</span> '
      : m.kind === 'document'
        ? `<span class="media">[file: ${escapeHtml(m.fileName ?? 'document')}]</span> `
        : '';
  const flags = `${m.edited ? ' · edited' : ''}${m.deleted ? ' · deleted' : ''}`;
  return (
    `<li class="${cls}" data-tg="message" data-message-id="${m.messageId}">` +
    `<div class="msg-head"><span class="sender">${escapeHtml(m.sender)}</span>` +
    `<time datetime="${escapeHtml(new Date(m.date * 1000).toISOString())}">${escapeHtml(formatTime(m.date))}</time>` +
    `<span class="flags">${escapeHtml(flags)}</span></div>` +
    `<div class="msg-body">${media}${renderSegments(m.segments)}</div></li>`
  );
}

function renderPage(o: {
  topics: TConsoleTopic[];
  selected?: TConsoleTopic;
  messages: TConsoleMessage[];
  botUsername?: string;
  chatId: number;
  webhookUrl?: string;
  operatorName: string;
  refreshMs: number;
}): string {
  const { topics, selected } = o;
  const webhook = o.webhookUrl ? `webhook → ${o.webhookUrl}` : 'no webhook set (updates wait for getUpdates)';
  const title = selected ? (selected.general ? 'General' : selected.name) : 'No topic selected';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(CONSOLE_TITLE)}</title>
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body>
<div class="app" id="app" data-selected-thread-id="${selected ? selected.threadId : ''}" data-refresh-ms="${o.refreshMs}" data-operator="${escapeHtml(o.operatorName)}">
<header class="bar">
<h1>${escapeHtml(CONSOLE_TITLE)}</h1>
<p class="meta"><span>${escapeHtml(o.botUsername ? `@${o.botUsername}` : 'bot')} in forum group ${escapeHtml(o.chatId)}</span> <span data-tg="webhook">${escapeHtml(webhook)}</span> <span class="live" data-tg="status">live</span></p>
</header>
<nav class="topics" aria-label="Topics">
<h2>Topics</h2>
<ul data-tg="topic-list">${topics.map((t) => renderTopicItem(t, t.threadId === selected?.threadId)).join('')}</ul>
<p class="empty" data-tg="no-topics"${topics.length > 0 ? ' hidden' : ''}>No topics yet. Open the demo page and write in the chat widget: the bot opens a topic here for the visitor.</p>
</nav>
<main class="thread">
<h2 data-tg="topic-title">${escapeHtml(title)}</h2>
<ol class="messages" data-tg="message-list">${o.messages.map(renderMessage).join('')}</ol>
<form class="composer" data-tg="reply-form"${selected ? '' : ' hidden'}>
<label class="sr-only" for="reply-input">Reply as ${escapeHtml(o.operatorName)}</label>
<textarea id="reply-input" data-tg="reply-input" rows="2" maxlength="${TEXT_MAX}" placeholder="Reply as ${escapeHtml(o.operatorName)} (Enter sends, Shift+Enter: new line)" required></textarea>
<button type="submit" data-tg="reply-send">Send</button>
<p class="reply-status" data-tg="reply-status" role="status"></p>
</form>
<noscript><p class="empty">This console needs JavaScript to send replies and refresh.</p></noscript>
</main>
</div>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------------------

/** Builds the `extraRoutes` handler for startFakeTelegram. */
export function operatorConsole(opts: TOperatorConsoleOptions): TConsoleRoutes {
  const operator = opts.operator ?? DEFAULT_CONSOLE_OPERATOR;
  const operatorName = [operator.first_name, operator.last_name].filter(Boolean).join(' ');
  const refreshMs = Math.min(2000, Math.max(1000, opts.refreshMs ?? 1500));
  const { token, chatId } = opts;

  /**
   * The console shows private conversations and can post as the operator: only answer requests addressed to this
   * server by loopback name (defeats DNS rebinding), and only same-origin writes (defeats cross-site POSTs).
   */
  const allowedHosts = (port: number): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];

  return async (req, res, url, fake) => {
    const path = url.pathname;
    const isConsole =
      path === '/' ||
      path === '/console.js' ||
      path === '/console.css' ||
      path === '/favicon.ico' ||
      path.startsWith('/console/');
    if (!isConsole) return false;
    const hosts = allowedHosts(fake.port);
    if (!hosts.includes((req.headers.host ?? '').toLowerCase())) {
      send(
        res,
        421,
        'text/plain; charset=utf-8',
        'The operator console only answers on http://127.0.0.1 or http://localhost.\n',
      );
      return true;
    }
    const method = req.method ?? 'GET';
    try {
      if (path === '/favicon.ico') {
        res.writeHead(204).end();
        return true;
      }
      if (path === '/console.js' || path === '/console.css') {
        if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');
        const isJs = path === '/console.js';
        send(
          res,
          200,
          isJs ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
          asset(isJs ? './fake-telegram-console.browser.js' : './fake-telegram-console.css'),
        );
        return true;
      }
      if (path === '/') {
        if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');
        const topics = listTopics(fake, chatId);
        const wanted = Number(url.searchParams.get('topic'));
        const selected = topics.find((t) => t.threadId === wanted) ?? topics[0];
        const messages = selected ? fake.messageObjects(chatId, selected.threadId).map(toConsoleMessage) : [];
        const page = renderPage({
          topics,
          messages,
          chatId,
          operatorName,
          refreshMs,
          ...(selected ? { selected } : {}),
          ...(opts.botUsername ? { botUsername: opts.botUsername } : {}),
          ...(fake.webhookOf(token) ? { webhookUrl: fake.webhookOf(token)?.url } : {}),
        });
        send(res, 200, 'text/html; charset=utf-8', page, {
          'content-security-policy': CONSOLE_PAGE_CSP,
          'x-frame-options': 'DENY',
        });
        return true;
      }

      if (path === '/console/api/topics' || path === '/console/api/topics/') {
        if (method !== 'GET') throw new HttpError(405, 'method not allowed');
        const hook = fake.webhookOf(token);
        sendJson(res, 200, {
          ok: true,
          chatId,
          botUsername: opts.botUsername ?? null,
          operator: operatorName,
          webhook: hook ? { url: hook.url, hasSecret: hook.secretToken !== undefined } : null,
          topics: listTopics(fake, chatId),
        });
        return true;
      }

      const m = /^\/console\/api\/topics\/(\d{1,15})(\/messages)?\/?$/.exec(path);
      if (!m) throw new HttpError(404, 'not found');
      const threadId = Number(m[1]);
      const topic = findTopic(fake, chatId, threadId);
      // General can be written to even when still empty (it always exists in a forum).
      const writable = topic ?? (threadId === GENERAL_THREAD_ID ? { threadId, closed: false } : undefined);

      if (!m[2]) {
        if (method !== 'GET') throw new HttpError(405, 'method not allowed');
        if (!topic) throw new HttpError(404, `no topic ${threadId} in this forum group`);
        sendJson(res, 200, { ok: true, topic, messages: fake.messageObjects(chatId, threadId).map(toConsoleMessage) });
        return true;
      }

      if (method !== 'POST') throw new HttpError(405, 'method not allowed');
      const origin = req.headers.origin;
      if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`))
        throw new HttpError(403, 'cross-origin writes are not allowed');
      if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json'))
        throw new HttpError(415, 'send the reply as application/json: {"text": "..."}');
      const body = await readJsonBody(req);
      const text = typeof body === 'object' && body !== null ? (body as TJson).text : undefined;
      if (typeof text !== 'string' || text.trim() === '') throw new HttpError(400, 'text must be a non-empty string');
      if (text.length > TEXT_MAX) throw new HttpError(400, `text is longer than ${TEXT_MAX} characters`);
      if (!writable) throw new HttpError(404, `no topic ${threadId} in this forum group (deleted?)`);

      const { update, webhookStatus } = await fake.operatorWrites({ token, chatId, threadId, text, from: operator });
      const u = update as { update_id: number; message?: { message_id?: number } };
      const hook = fake.webhookOf(token);
      sendJson(res, 200, {
        ok: true,
        updateId: u.update_id,
        messageId: u.message?.message_id ?? null,
        delivery: webhookStatus === undefined ? (hook ? 'filtered' : 'queued') : 'webhook',
        webhookStatus: webhookStatus ?? null,
      });
      return true;
    } catch (err) {
      if (err instanceof HttpError) {
        if (err.status === 405) res.setHeader('allow', path.endsWith('/messages') ? 'POST' : 'GET');
        sendJson(res, err.status, { ok: false, error: err.message });
        return true;
      }
      throw err;
    }
  };
}
