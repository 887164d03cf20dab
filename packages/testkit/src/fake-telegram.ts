// Fake Telegram Bot API server on 127.0.0.1 — the official grammY SDK is pointed at it through `apiRoot`
// (`new Api(token, { apiRoot: fake.apiRoot })`), so tests exercise the real client against the real wire format:
// `POST {apiRoot}/bot<token>/<method>` → `{ok:true,result}` or `{ok:false,error_code,description,parameters?}`
// with the HTTP status equal to `error_code`. Test/demo tool only: state lives in memory; `exportState()` /
// `importState()` (and the `onChange` option) let a long-lived demo process persist it — see serve-fake-telegram.ts.
// Besides the Bot API routes (`/bot<token>/<method>`, `/file/bot<token>/<path>`) it answers `GET /health` and
// whatever the `extraRoutes` option serves (the operator console of the local demo).
//
// Shapes and error texts follow https://core.telegram.org/bots/api and what Telegram answers in practice; where
// the fake knowingly differs from Telegram the comment at that spot says so (e.g. it accepts http:// webhooks on
// 127.0.0.1 and is stricter than Telegram about a bare '&' in HTML).
import { createServer, request as httpRequest, STATUS_CODES } from 'node:http';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import busboy from 'busboy';

// ---------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------

export interface TFakeTelegramCall {
  /** The method exactly as it appeared in the URL (Telegram treats method names case-insensitively). */
  method: string;
  token: string;
  /**
   * Query-string and body parameters merged (body wins). Values are as received: typed for JSON bodies, strings
   * for form/multipart bodies (objects such as `reply_parameters` arrive JSON-encoded there, as on the real API).
   */
  params: Record<string, unknown>;
  /** Arrival time (ms since epoch). */
  at: number;
  /** Uploaded file parts; `field` is the parameter the file was attached to (`document`, `photo`, ...). */
  files?: { field: string; filename: string; size: number; mimeType: string }[];
}

export interface TFakeTelegram {
  apiRoot: string;
  port: number;
  calls: TFakeTelegramCall[];
  callsOf(method: string): TFakeTelegramCall[];
  addBot(
    token: string,
    opts?: { id?: number; username?: string; firstName?: string },
  ): { id: number; username: string; token: string };
  addForumChat(opts?: {
    id?: number;
    title?: string;
    isForum?: boolean;
    botIsAdmin?: boolean;
    canManageTopics?: boolean;
  }): { id: number };
  revokeToken(token: string): void;
  /** Undoes revokeToken: the owner fixed the bot. */
  restoreToken(token: string): void;
  failNext(
    method: string,
    failure: { errorCode: number; description: string; retryAfter?: number },
    times?: number,
  ): void;
  deleteTopic(chatId: number, threadId: number): void;
  topics(chatId: number): { threadId: number; name: string; closed: boolean }[];
  messages(
    chatId: number,
    threadId?: number,
  ): { messageId: number; threadId?: number; text?: string; fromBot: boolean; deleted: boolean; edited: boolean }[];
  /** Builds a realistic Update for a human writing in a topic and delivers it: POST to the webhook set with setWebhook for that bot (with the X-Telegram-Bot-Api-Secret-Token header; returns the HTTP status), or queue it for getUpdates when no webhook is set. */
  operatorWrites(opts: {
    token: string;
    chatId: number;
    threadId: number;
    text?: string;
    from?: { id: number; first_name: string; last_name?: string; username?: string };
    editOf?: number;
    photo?: boolean;
  }): Promise<{ update: unknown; webhookStatus?: number }>;
  /** Deliver a raw update (for duplicate/redelivery tests): same routing as above. */
  deliverUpdate(token: string, update: Record<string, unknown>): Promise<{ webhookStatus?: number }>;
  /**
   * Copies of the Telegram Message objects stored for a chat (or one topic of it; in a forum, thread 1 = the General
   * topic = messages without a thread), in id order, service messages left out. For viewers such as the console.
   */
  messageObjects(
    chatId: number,
    threadId?: number,
  ): { message: Record<string, unknown>; fromBot: boolean; deleted: boolean; edited: boolean }[];
  /** The webhook currently set for the bot (setWebhook), if any. */
  webhookOf(token: string): { url: string; secretToken?: string } | undefined;
  /** A JSON-serialisable snapshot of everything a restart should keep (not the call log, failNext queue or held long polls). */
  exportState(): TFakeTelegramState;
  /** Replaces bots, chats, topics, messages, files and counters with a snapshot from exportState(); throws on a malformed one. */
  importState(state: unknown): void;
  reset(): void;
  close(): Promise<void>;
}

export interface TFakeTelegramOptions {
  /** 0/undefined = a free port. The server always binds 127.0.0.1. */
  port?: number;
  /** Delay added to every Bot API call. */
  latencyMs?: number;
  /** Imported (see importState) before the server starts listening. */
  initialState?: unknown;
  /**
   * Called synchronously whenever something exportState() covers may have changed (a mutating Bot API call, an
   * operator message, a webhook error, addBot/addForumChat/...). Cheap to call often: debounce on your side.
   */
  onChange?: () => void;
  /**
   * Serves extra HTTP routes next to the Bot API; resolve true when the request was answered. Never called for
   * `/bot…` or `/file/bot…` paths (the Bot API) nor for `/health`.
   */
  extraRoutes?: (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    fake: TFakeTelegram,
  ) => boolean | Promise<boolean>;
}

/** Format of exportState()/importState(); `version` changes when the shape does. */
export interface TFakeTelegramState {
  format: 'pocketping-fake-telegram';
  version: 1;
  counters: { nextBotId: number; nextChatSeq: number; nextFileSeq: number };
  bots: {
    token: string;
    id: number;
    username: string;
    firstName: string;
    revoked: boolean;
    nextUpdateId: number;
    webhook?: { url: string; secretToken?: string; maxConnections: number };
    allowedUpdates?: string[];
    /** Updates waiting for getUpdates. */
    pendingUpdates: Record<string, unknown>[];
    lastErrorDate?: number;
    lastErrorMessage?: string;
  }[];
  chats: {
    id: number;
    title: string;
    isForum: boolean;
    botIsAdmin: boolean;
    canManageTopics: boolean;
    nextMessageId: number;
    topics: {
      threadId: number;
      name: string;
      iconColor: number;
      iconCustomEmojiId?: string;
      closed: boolean;
      deleted: boolean;
    }[];
    messages: {
      messageId: number;
      threadId?: number;
      text?: string;
      entities?: { type: string; offset: number; length: number; url?: string; language?: string }[];
      isMedia: boolean;
      fromBot: boolean;
      senderId: number;
      deleted: boolean;
      edited: boolean;
      isService: boolean;
      /** The Telegram Message object as the API returns it. */
      message: Record<string, unknown>;
    }[];
    humans: Record<string, unknown>[];
  }[];
  files: {
    fileId: string;
    fileUniqueId: string;
    filePath: string;
    fileName?: string;
    mimeType: string;
    width?: number;
    height?: number;
    base64: string;
  }[];
}

// ---------------------------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------------------------

const TEXT_MAX = 4096;
const CAPTION_MAX = 1024;
const TOPIC_NAME_MAX = 128;
/** Telegram's Bot API server accepts uploads up to 50 MB and lets bots download files up to 20 MB. */
const UPLOAD_MAX_BYTES = 50 * 1024 * 1024;
const DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024;
/** The only icon colours createForumTopic accepts (docs: "Currently, must be one of ..."). */
const TOPIC_COLORS = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f];
/** sendChatAction's `action` values (docs). */
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

/** In a forum the "General" topic has thread id 1; messages there carry no message_thread_id. */
const GENERAL_THREAD_ID = 1;
/** Update types Telegram leaves out unless a bot asks for them explicitly in allowed_updates. */
const OPT_IN_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
/** Telegram retries failed webhook deliveries; the fake does a few quick retries so tests stay fast. */
const WEBHOOK_ATTEMPTS = 3;
const WEBHOOK_RETRY_DELAY_MS = 50;
const WEBHOOK_TIMEOUT_MS = 10_000;
const SECRET_TOKEN_RE = /^[A-Za-z0-9_-]{1,256}$/;
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const POLL_CONFLICT =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
/** Methods that never change what exportState() covers (every other successful call triggers onChange). */
const READ_ONLY_METHODS = new Set(['getme', 'getchat', 'getchatmember', 'getfile', 'getwebhookinfo']);
const WEBHOOK_CONFLICT =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

const DEFAULT_OPERATOR = { id: 5_000_000_001, first_name: 'Olivia', last_name: 'Operator', username: 'olivia_support' };

/**
 * An 8×8 mid-grey baseline JPEG built by hand, used as the picture when an operator "sends a photo": Telegram only
 * ever serves photos as JPEG, so bridges that sniff or forward the bytes see a real image.
 */
const TINY_JPEG = Buffer.from(
  [
    'ffd8', // SOI
    'ffe000104a46494600010100000100010000', // APP0 "JFIF" 1.1, no thumbnail
    'ffdb004300' + '01'.repeat(64), // DQT table 0: every quantiser 1
    'ffc0000b080008000801011100', // SOF0: 8-bit, 8×8, one (grey) component
    'ffc4001400' + '01' + '00'.repeat(15) + '00', // DHT DC table 0: a single 1-bit code → category 0
    'ffc4001410' + '01' + '00'.repeat(15) + '00', // DHT AC table 0: a single 1-bit code → end of block
    'ffda000801010000003f00', // SOS
    '3f', // the only block: DC diff 0 ("0") + EOB ("0"), padded with ones
    'ffd9', // EOI
  ].join(''),
  'hex',
);

// ---------------------------------------------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------------------------------------------

type TJson = Record<string, unknown>;
type TUpdate = TJson & { update_id: number };

interface TWebhook {
  url: string;
  secretToken?: string;
  maxConnections: number;
}

interface TBot {
  token: string;
  id: number;
  username: string;
  firstName: string;
  revoked: boolean;
  nextUpdateId: number;
  webhook?: TWebhook;
  allowedUpdates?: string[];
  /** Updates waiting for getUpdates (never used while a webhook is set). */
  pending: TUpdate[];
  /** The getUpdates request currently held open, if any. */
  poller?: TPoller;
  lastErrorDate?: number;
  lastErrorMessage?: string;
}

type TPollOutcome = { kind: 'wake' } | { kind: 'fail'; error: ApiError } | { kind: 'close' };
interface TPoller {
  settle(outcome: TPollOutcome): void;
}

interface TTopic {
  threadId: number;
  name: string;
  iconColor: number;
  iconCustomEmojiId?: string;
  closed: boolean;
  deleted: boolean;
}

interface TStoredMessage {
  messageId: number;
  threadId?: number;
  /** Text, or the caption for media messages. */
  text?: string;
  entities?: TEntity[];
  isMedia: boolean;
  fromBot: boolean;
  senderId: number;
  deleted: boolean;
  edited: boolean;
  /** Service messages (forum_topic_created) are kept for reply_to_message but not listed by messages(). */
  isService: boolean;
  json: TJson;
}

interface TChat {
  id: number;
  title: string;
  isForum: boolean;
  botIsAdmin: boolean;
  canManageTopics: boolean;
  nextMessageId: number;
  topics: Map<number, TTopic>;
  messages: Map<number, TStoredMessage>;
  /** Humans who wrote in the chat, so getChatMember can answer for them. */
  humans: Map<number, TJson>;
}

interface TStoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  bytes: Buffer;
  fileName?: string;
  mimeType: string;
  width?: number;
  height?: number;
}

interface TUpload {
  part: string;
  filename: string;
  mimeType: string;
  bytes: Buffer;
}

interface TEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

/** A Telegram-style failure; the HTTP status always equals the error code. */
class ApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }
}
const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

/** A result that Telegram sends with a human-readable `description` next to it (setWebhook, deleteWebhook). */
class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

interface TCallContext {
  bot: TBot;
  params: TJson;
  uploads: TUpload[];
  /** Aborted when the client goes away (a grammY `bot.stop()` aborts its pending getUpdates). */
  signal: AbortSignal;
}
type THandler = (ctx: TCallContext) => unknown;

// ---------------------------------------------------------------------------------------------------------------
// Parameter readers — one place that copes with JSON (typed) and form/query (string) values
// ---------------------------------------------------------------------------------------------------------------

function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function optInt(p: TJson, name: string): number | undefined {
  const v = p[name];
  if (!isPresent(v)) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid ${name} specified`);
  return n;
}

function optStr(p: TJson, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badRequest(`invalid ${name} specified`);
}

function optBool(p: TJson, name: string): boolean {
  const v = p[name];
  return v === true || v === 1 || v === 'true' || v === '1' || v === 'True';
}

/** Objects and arrays arrive as JSON values in a JSON body and as JSON-encoded strings in form bodies. */
function optJson(p: TJson, name: string): unknown {
  const v = p[name];
  if (!isPresent(v)) return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

function isObject(v: unknown): v is TJson {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------------------
// HTML parse_mode — the subset Telegram documents, with the errors a bridge must not trigger
// ---------------------------------------------------------------------------------------------------------------

const HTML_TAGS: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  'tg-spoiler': 'spoiler',
  span: 'spoiler', // only as <span class="tg-spoiler">
  blockquote: 'blockquote',
};
const NAMED_HTML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Decodes `&lt;`, `&#60;`, `&#x3c;` ... at `i`; undefined when the '&' does not start a supported entity. */
function decodeEntityAt(src: string, i: number): { text: string; length: number } | undefined {
  const m = /^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});/.exec(src.slice(i, i + 16));
  const body = m?.[1];
  if (!m || body === undefined) return undefined;
  if (body.startsWith('#')) {
    const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    if (cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    return { text: String.fromCodePoint(cp), length: m[0].length };
  }
  const named = NAMED_HTML_ENTITIES[body];
  return named === undefined ? undefined : { text: named, length: m[0].length };
}

type THtmlResult = { ok: true; text: string; entities: TEntity[] } | { ok: false; error: string };

/**
 * Turns Telegram-HTML into plain text + MessageEntity list (offsets in UTF-16 units, as the API reports them).
 * Errors mimic Telegram's "can't parse entities: ... at byte offset N" (byte offsets are UTF-8, like Telegram's).
 * Deliberately stricter than Telegram in one place: a '&' that does not start an entity is rejected — Telegram
 * tolerates some of those, but the platform notes say visitor text must be escaped, and a test should catch
 * a bridge that forgets to.
 */
function parseTelegramHtml(src: string): THtmlResult {
  const entities: TEntity[] = [];
  const stack: { tag: string; start: number; attrs: Map<string, string>; language?: string }[] = [];
  const byteAt = (i: number): number => Buffer.byteLength(src.slice(0, i), 'utf8');
  const fail = (msg: string): THtmlResult => ({ ok: false, error: `can't parse entities: ${msg}` });
  let out = '';
  let i = 0;

  const readAttrValue = (raw: string): string | undefined => {
    let value = '';
    for (let k = 0; k < raw.length;) {
      if (raw[k] === '&') {
        const decoded = decodeEntityAt(raw, k);
        if (!decoded) return undefined;
        value += decoded.text;
        k += decoded.length;
      } else {
        value += raw[k];
        k++;
      }
    }
    return value;
  };

  while (i < src.length) {
    const ch = src[i];
    if (ch === '&') {
      const decoded = decodeEntityAt(src, i);
      if (!decoded) return fail(`Unescaped "&" at byte offset ${byteAt(i)}; write &amp;`);
      out += decoded.text;
      i += decoded.length;
      continue;
    }
    if (ch !== '<') {
      out += ch;
      i++;
      continue;
    }

    const tagAt = byteAt(i);
    if (src[i + 1] === '/') {
      const end = src.indexOf('>', i + 2);
      if (end < 0) return fail(`Unclosed end tag at byte offset ${tagAt}`);
      const name = src
        .slice(i + 2, end)
        .trim()
        .toLowerCase();
      const open = stack.pop();
      if (!open) return fail(`Unexpected end tag at byte offset ${tagAt}`);
      if (open.tag !== name)
        return fail(`Unmatched end tag at byte offset ${tagAt}, expected "</${open.tag}>", found "</${name}>"`);
      const length = out.length - open.start;
      const parent = stack[stack.length - 1];
      const cls = open.attrs.get('class');
      if (open.tag === 'code' && parent?.tag === 'pre' && cls?.startsWith('language-')) {
        // <pre><code class="language-x"> is one pre entity with a language, not two entities.
        parent.language = cls.slice('language-'.length);
      } else if (length > 0) {
        // Telegram drops entities that cover no text.
        const type =
          open.tag === 'blockquote' && open.attrs.has('expandable')
            ? 'expandable_blockquote'
            : (HTML_TAGS[open.tag] ?? 'bold');
        const entity: TEntity = { type, offset: open.start, length };
        if (type === 'text_link') {
          const href = open.attrs.get('href');
          if (href) entity.url = href;
        }
        if (type === 'pre' && open.language) entity.language = open.language;
        if (type !== 'text_link' || entity.url) entities.push(entity);
      }
      i = end + 1;
      continue;
    }

    let j = i + 1;
    while (j < src.length && /[a-zA-Z0-9-]/.test(src[j] ?? '')) j++;
    const name = src.slice(i + 1, j).toLowerCase();
    if (!Object.hasOwn(HTML_TAGS, name)) return fail(`Unsupported start tag "${name}" at byte offset ${tagAt}`);
    const attrs = new Map<string, string>();
    for (;;) {
      while (j < src.length && /\s/.test(src[j] ?? '')) j++;
      if (j >= src.length) return fail(`Unclosed start tag at byte offset ${tagAt}`);
      if (src[j] === '>') {
        j++;
        break;
      }
      const nameStart = j;
      while (j < src.length && /[a-zA-Z0-9_-]/.test(src[j] ?? '')) j++;
      const attrName = src.slice(nameStart, j).toLowerCase();
      if (!attrName) return fail(`Empty attribute name in the tag "${name}" at byte offset ${byteAt(j)}`);
      while (j < src.length && /\s/.test(src[j] ?? '')) j++;
      if (src[j] !== '=') {
        attrs.set(attrName, ''); // a bare attribute such as <blockquote expandable>
        continue;
      }
      j++;
      while (j < src.length && /\s/.test(src[j] ?? '')) j++;
      let raw: string;
      const quote = src[j];
      if (quote === '"' || quote === "'") {
        const close = src.indexOf(quote, j + 1);
        if (close < 0) return fail(`Unclosed start tag at byte offset ${tagAt}`);
        raw = src.slice(j + 1, close);
        j = close + 1;
      } else {
        const valueStart = j;
        while (j < src.length && !/[\s>]/.test(src[j] ?? '')) j++;
        raw = src.slice(valueStart, j);
      }
      const value = readAttrValue(raw);
      if (value === undefined)
        return fail(`Unescaped "&" in an attribute value of the tag "${name}" at byte offset ${tagAt}`);
      attrs.set(attrName, value);
    }
    if (name === 'span' && attrs.get('class') !== 'tg-spoiler')
      return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${tagAt}`);
    stack.push({ tag: name, start: out.length, attrs });
    i = j;
  }

  const unclosed = stack[stack.length - 1];
  if (unclosed) return fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { ok: true, text: out, entities };
}

/** Applies parse_mode to `text`/`caption` and enforces the length limits that apply after entity parsing. */
function readFormatted(
  p: TJson,
  field: 'text' | 'caption',
  opts: { max: number; required: boolean },
): { text?: string; entities?: TEntity[] } {
  const raw = optStr(p, field);
  const emptyError = field === 'text' ? 'message text is empty' : undefined;
  if (raw === undefined || raw === '') {
    if (opts.required && emptyError) throw badRequest(emptyError);
    return {};
  }
  const mode = optStr(p, 'parse_mode') ?? '';
  let text = raw;
  let entities: TEntity[] | undefined;
  if (mode.toLowerCase() === 'html') {
    const parsed = parseTelegramHtml(raw);
    if (!parsed.ok) throw badRequest(parsed.error);
    text = parsed.text;
    entities = parsed.entities;
  } else if (mode !== '' && mode.toLowerCase() !== 'markdown' && mode.toLowerCase() !== 'markdownv2') {
    throw badRequest('unsupported parse_mode');
  } else {
    // Markdown is passed through unparsed; explicit entities are kept as sent.
    const explicit = optJson(p, field === 'text' ? 'entities' : 'caption_entities');
    if (Array.isArray(explicit)) entities = explicit as TEntity[];
  }
  if (text.trim() === '') {
    if (emptyError) throw badRequest(emptyError);
    return {};
  }
  if (text.length > opts.max)
    throw badRequest(field === 'text' ? 'message is too long' : 'message caption is too long');
  return entities && entities.length > 0 ? { text, entities } : { text };
}

// ---------------------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------------------

/** Width/height of PNG, GIF, JPEG or WebP bytes; undefined when the bytes are not one of those (→ sendPhoto fails). */
function sniffImage(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47)
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString('latin1', 0, 3) === 'GIF')
    return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the segments up to the first SOFn, which holds the frame size.
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1] ?? 0;
      if (marker === 0xff) {
        i++;
        continue;
      }
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
      i += 2 + b.readUInt16BE(i + 2);
    }
    return undefined;
  }
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    return { width: 0, height: 0 };
  }
  return undefined;
}

/** Telegram infers a document's MIME type from its name; grammY always uploads as application/octet-stream. */
const MIME_BY_EXT: Record<string, string> = {
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  pdf: 'application/pdf',
  zip: 'application/zip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

function guessMime(fileName: string | undefined, sent: string): string {
  const ext = fileName?.split('.').pop()?.toLowerCase();
  const known = ext ? MIME_BY_EXT[ext] : undefined;
  if (known) return known;
  return sent && sent !== 'application/octet-stream' ? sent : 'application/octet-stream';
}

function randomId(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------------------------------------------

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function sendError(res: ServerResponse, err: ApiError): void {
  const body: TJson = { ok: false, error_code: err.errorCode, description: err.description };
  if (err.retryAfter !== undefined) body.parameters = { retry_after: err.retryAfter };
  sendJson(res, err.errorCode, body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > UPLOAD_MAX_BYTES) throw new ApiError(413, 'Request Entity Too Large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function parseMultipart(req: IncomingMessage): Promise<{ fields: TJson; uploads: TUpload[] }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // defParamCharset: filenames are UTF-8 on the wire (busboy defaults to latin1).
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fileSize: UPLOAD_MAX_BYTES } });
    } catch {
      reject(badRequest('invalid multipart/form-data request'));
      return;
    }
    const fields: TJson = {};
    const uploads: TUpload[] = [];
    const reading: Promise<void>[] = [];
    let tooBig = false;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (part, stream, info) => {
      const upload: TUpload = {
        part,
        filename: info.filename ?? part,
        mimeType: info.mimeType,
        bytes: Buffer.alloc(0),
      };
      uploads.push(upload);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        tooBig = true;
      });
      reading.push(
        new Promise((done) => {
          stream.on('close', () => {
            upload.bytes = Buffer.concat(chunks);
            done();
          });
        }),
      );
    });
    bb.on('close', () => {
      void Promise.all(reading).then(() =>
        tooBig ? reject(new ApiError(413, 'Request Entity Too Large')) : resolve({ fields, uploads }),
      );
    });
    bb.on('error', () => reject(badRequest('invalid multipart/form-data request')));
    // A client that gives up mid-upload would otherwise leave this promise (and busboy) waiting forever.
    req.on('close', () => {
      if (!req.complete) reject(badRequest('request aborted'));
    });
    req.pipe(bb);
  });
}

/** Telegram takes parameters from the query string and from JSON, urlencoded or multipart bodies alike. */
async function parseParams(req: IncomingMessage, url: URL): Promise<{ params: TJson; uploads: TUpload[] }> {
  const params: TJson = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const { fields, uploads } = await parseMultipart(req);
    return { params: { ...params, ...fields }, uploads };
  }
  const raw = await readBody(req);
  if (raw.length === 0) return { params, uploads: [] };
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { params: { ...params, ...Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) }, uploads: [] };
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest("can't parse JSON encoded request");
  }
  if (!isObject(body)) throw badRequest("can't parse JSON encoded request");
  return { params: { ...params, ...body }, uploads: [] };
}

/** One webhook POST; resolves with the HTTP status, or 0 when the connection failed or timed out. */
function postUpdate(
  target: string,
  body: string,
  headers: Record<string, string>,
  inflight: Set<ClientRequest>,
): Promise<number> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      resolve(0);
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: WEBHOOK_TIMEOUT_MS,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        res.resume(); // Telegram ignores the body (except for webhook replies, which the fake does not run)
        inflight.delete(req);
        resolve(res.statusCode ?? 0);
      },
    );
    inflight.add(req);
    req.on('timeout', () => req.destroy(new Error('webhook timeout')));
    req.on('error', () => {
      inflight.delete(req);
      resolve(0);
    });
    req.end(body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------------------------
// Persisted state — checked field by field so a hand-edited or truncated file fails with a precise message
// ---------------------------------------------------------------------------------------------------------------

class StateError extends Error {}

function stateField(
  o: TJson,
  key: string,
  where: string,
  type: 'number' | 'string' | 'boolean' | 'object' | 'array',
  optional = false,
): unknown {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  const ok =
    type === 'number'
      ? typeof v === 'number' && Number.isFinite(v)
      : type === 'array'
        ? Array.isArray(v)
        : type === 'object'
          ? isObject(v)
          : typeof v === type;
  if (!ok)
    throw new StateError(
      `${where}.${key} must be ${type === 'array' ? 'an array' : type === 'object' ? 'an object' : `a ${type}`}`,
    );
  return v;
}

function stateItems(o: TJson, key: string, where: string): { item: TJson; at: string }[] {
  const list = stateField(o, key, where, 'array') as unknown[];
  return list.map((item, i) => {
    const at = `${where}.${key}[${i}]`;
    if (!isObject(item)) throw new StateError(`${at} must be an object`);
    return { item, at };
  });
}

/** Validates an exportState() snapshot (typically parsed from a file); throws StateError naming the bad field. */
function checkState(raw: unknown): TFakeTelegramState {
  if (!isObject(raw) || raw.format !== 'pocketping-fake-telegram')
    throw new StateError('not a fake Telegram state (format is not "pocketping-fake-telegram")');
  if (raw.version !== 1) throw new StateError(`unsupported state version ${JSON.stringify(raw.version)} (expected 1)`);
  const counters = stateField(raw, 'counters', 'state', 'object') as TJson;
  for (const k of ['nextBotId', 'nextChatSeq', 'nextFileSeq']) stateField(counters, k, 'state.counters', 'number');
  for (const { item, at } of stateItems(raw, 'bots', 'state')) {
    for (const k of ['token', 'username', 'firstName']) stateField(item, k, at, 'string');
    for (const k of ['id', 'nextUpdateId']) stateField(item, k, at, 'number');
    stateField(item, 'revoked', at, 'boolean');
    for (const { item: u, at: uAt } of stateItems(item, 'pendingUpdates', at))
      stateField(u, 'update_id', uAt, 'number');
    const hook = stateField(item, 'webhook', at, 'object', true) as TJson | undefined;
    if (hook) {
      stateField(hook, 'url', `${at}.webhook`, 'string');
      stateField(hook, 'secretToken', `${at}.webhook`, 'string', true);
      stateField(hook, 'maxConnections', `${at}.webhook`, 'number');
    }
    stateField(item, 'allowedUpdates', at, 'array', true);
    stateField(item, 'lastErrorDate', at, 'number', true);
    stateField(item, 'lastErrorMessage', at, 'string', true);
  }
  for (const { item, at } of stateItems(raw, 'chats', 'state')) {
    for (const k of ['id', 'nextMessageId']) stateField(item, k, at, 'number');
    stateField(item, 'title', at, 'string');
    for (const k of ['isForum', 'botIsAdmin', 'canManageTopics']) stateField(item, k, at, 'boolean');
    for (const { item: t, at: tAt } of stateItems(item, 'topics', at)) {
      for (const k of ['threadId', 'iconColor']) stateField(t, k, tAt, 'number');
      stateField(t, 'name', tAt, 'string');
      stateField(t, 'iconCustomEmojiId', tAt, 'string', true);
      for (const k of ['closed', 'deleted']) stateField(t, k, tAt, 'boolean');
    }
    for (const { item: m, at: mAt } of stateItems(item, 'messages', at)) {
      for (const k of ['messageId', 'senderId']) stateField(m, k, mAt, 'number');
      stateField(m, 'threadId', mAt, 'number', true);
      stateField(m, 'text', mAt, 'string', true);
      stateField(m, 'entities', mAt, 'array', true);
      for (const k of ['isMedia', 'fromBot', 'deleted', 'edited', 'isService']) stateField(m, k, mAt, 'boolean');
      stateField(m, 'message', mAt, 'object');
    }
    for (const { item: h, at: hAt } of stateItems(item, 'humans', at)) stateField(h, 'id', hAt, 'number');
  }
  for (const { item, at } of stateItems(raw, 'files', 'state')) {
    for (const k of ['fileId', 'fileUniqueId', 'filePath', 'mimeType', 'base64']) stateField(item, k, at, 'string');
    stateField(item, 'fileName', at, 'string', true);
    for (const k of ['width', 'height']) stateField(item, k, at, 'number', true);
  }
  return raw as unknown as TFakeTelegramState;
}

// ---------------------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------------------

export async function startFakeTelegram(opts: TFakeTelegramOptions = {}): Promise<TFakeTelegram> {
  const latencyMs = opts.latencyMs ?? 0;
  const calls: TFakeTelegramCall[] = [];
  const bots = new Map<string, TBot>();
  const chats = new Map<number, TChat>();
  const filesById = new Map<string, TStoredFile>();
  const filesByPath = new Map<string, TStoredFile>();
  const failures = new Map<string, { errorCode: number; description: string; retryAfter?: number }[]>();
  const inflightWebhooks = new Set<ClientRequest>();
  let nextBotId = 7_000_000_001;
  let nextChatSeq = 1;
  let nextFileSeq = 1;
  let closed = false;

  /** Tells the owner (onChange) that persisted state may have changed; its errors must not break the API. */
  const changed = (): void => {
    if (!opts.onChange) return;
    try {
      opts.onChange();
    } catch {
      // a failing observer is the observer's problem
    }
  };

  // --- lookups -------------------------------------------------------------------------------------------------

  const chatOrThrow = (p: TJson): TChat => {
    const v = p.chat_id;
    if (!isPresent(v)) throw badRequest('chat_id is empty');
    // "@username" chat ids are valid on the real API; the fake's chats have no usernames.
    const id = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
    const chat = chats.get(id);
    if (!chat) throw badRequest('chat not found');
    return chat;
  };

  const canManageTopics = (chat: TChat): boolean => chat.botIsAdmin && chat.canManageTopics;

  /** A live topic for the forum-topic methods (edit/close/reopen/delete). */
  const topicOrThrow = (chat: TChat, p: TJson): TTopic => {
    if (!chat.isForum) throw badRequest('the chat is not a forum');
    const id = optInt(p, 'message_thread_id');
    const topic = id === undefined ? undefined : chat.topics.get(id);
    if (!topic || topic.deleted) throw badRequest('TOPIC_ID_INVALID');
    return topic;
  };

  /** Where a send lands: undefined = the chat itself / the General topic. */
  const threadForSend = (chat: TChat, p: TJson): number | undefined => {
    const id = optInt(p, 'message_thread_id');
    if (id === undefined || (chat.isForum && id === GENERAL_THREAD_ID)) return undefined;
    const topic = chat.topics.get(id);
    if (!topic || topic.deleted) throw badRequest('message thread not found');
    // Admins who can manage topics may still post in a closed topic; everyone else is refused.
    if (topic.closed && !canManageTopics(chat)) throw badRequest('TOPIC_CLOSED');
    return topic.threadId;
  };

  const userJson = (bot: TBot): TJson => ({
    id: bot.id,
    is_bot: true,
    first_name: bot.firstName,
    username: bot.username,
  });

  const chatJson = (chat: TChat): TJson =>
    chat.isForum
      ? { id: chat.id, title: chat.title, is_forum: true, type: 'supergroup' }
      : { id: chat.id, title: chat.title, type: 'supergroup' };

  /** reply_to_message is one level deep on the real API: the quoted message carries no reply of its own. */
  const quoted = (m: TStoredMessage): TJson => {
    const { reply_to_message: _ignored, ...rest } = m.json;
    return rest;
  };

  /**
   * Allocates the next message id of the chat (ids increase per chat, service messages included) and stores the
   * message. A message in a topic carries message_thread_id, is_topic_message and — as on the real API, unless it
   * is an explicit reply — reply_to_message pointing at the topic's forum_topic_created service message.
   */
  const storeMessage = (
    chat: TChat,
    m: {
      threadId?: number;
      from: TJson;
      fromBot: boolean;
      replyTo?: TStoredMessage;
      body: TJson;
      text?: string;
      entities?: TEntity[];
      isService?: boolean;
    },
  ): TStoredMessage => {
    const messageId = chat.nextMessageId++;
    const json: TJson = { message_id: messageId, from: m.from, chat: chatJson(chat), date: now() };
    if (m.threadId !== undefined) json.message_thread_id = m.threadId;
    const topicStart = m.threadId !== undefined && !m.isService ? chat.messages.get(m.threadId) : undefined;
    const replyTo = m.replyTo ?? topicStart;
    if (replyTo) json.reply_to_message = quoted(replyTo);
    if (m.threadId !== undefined) json.is_topic_message = true;
    Object.assign(json, m.body);
    const stored: TStoredMessage = {
      messageId,
      isMedia: 'photo' in m.body || 'document' in m.body,
      fromBot: m.fromBot,
      senderId: Number(m.from.id),
      deleted: false,
      edited: false,
      isService: m.isService ?? false,
      json,
    };
    if (m.threadId !== undefined) stored.threadId = m.threadId;
    if (m.text !== undefined) stored.text = m.text;
    if (m.entities) stored.entities = m.entities;
    chat.messages.set(messageId, stored);
    return stored;
  };

  const replyTarget = (chat: TChat, p: TJson): TStoredMessage | undefined => {
    const params = optJson(p, 'reply_parameters');
    const rp = isObject(params) ? params : undefined;
    const id = rp ? optInt(rp, 'message_id') : optInt(p, 'reply_to_message_id');
    if (id === undefined) return undefined;
    const target = chat.messages.get(id);
    if (target && !target.deleted) return target;
    if ((rp && optBool(rp, 'allow_sending_without_reply')) || optBool(p, 'allow_sending_without_reply'))
      return undefined;
    throw badRequest('message to be replied not found');
  };

  const registerFile = (
    f: Omit<TStoredFile, 'fileId' | 'fileUniqueId' | 'filePath'>,
    folder: 'photos' | 'documents',
  ): TStoredFile => {
    const seq = nextFileSeq++;
    const ext =
      folder === 'photos' ? 'jpg' : ((f.fileName?.includes('.') ? f.fileName.split('.').pop() : undefined) ?? 'dat');
    // Shapes only: real ids are opaque base64url strings whose prefix encodes the file type.
    const stored: TStoredFile = {
      ...f,
      fileId: `${folder === 'photos' ? 'AgACAgIAAxkB' : 'BQACAgIAAxkB'}${randomId(36)}`,
      fileUniqueId: `AQAD${randomId(9)}`,
      filePath: `${folder}/file_${seq}.${ext}`,
    };
    filesById.set(stored.fileId, stored);
    filesByPath.set(stored.filePath, stored);
    return stored;
  };

  const photoSizes = (f: TStoredFile): TJson[] => [
    {
      file_id: f.fileId,
      file_unique_id: f.fileUniqueId,
      file_size: f.bytes.length,
      width: f.width ?? 0,
      height: f.height ?? 0,
    },
  ];

  const documentJson = (f: TStoredFile): TJson => {
    const doc: TJson = {
      file_id: f.fileId,
      file_unique_id: f.fileUniqueId,
      file_size: f.bytes.length,
      mime_type: f.mimeType,
    };
    if (f.fileName) doc.file_name = f.fileName;
    return doc;
  };

  /**
   * The file for sendPhoto/sendDocument: an uploaded part (grammY sends `document=attach://<part>`; plain
   * multipart clients name the part after the parameter), an existing file_id, or an HTTP URL. The fake does not
   * download URLs: it registers an empty placeholder file under the URL's last path segment.
   */
  const inputFile = (p: TJson, uploads: TUpload[], field: 'photo' | 'document'): TStoredFile => {
    const v = optStr(p, field);
    let upload: TUpload | undefined;
    if (v === undefined || v === '') {
      upload = uploads.find((u) => u.part === field);
      if (!upload) throw badRequest(`there is no ${field} in the request`);
    } else if (v.startsWith('attach://')) {
      upload = uploads.find((u) => u.part === v.slice('attach://'.length));
      if (!upload) throw badRequest(`wrong file identifier/HTTP URL specified`);
    } else if (/^https?:\/\//i.test(v)) {
      const name = decodeURIComponent(new URL(v).pathname.split('/').pop() || `${field}.dat`);
      return registerFile(
        { bytes: Buffer.alloc(0), fileName: name, mimeType: guessMime(name, '') },
        field === 'photo' ? 'photos' : 'documents',
      );
    } else {
      const existing = filesById.get(v);
      if (!existing) throw badRequest('wrong file identifier/HTTP URL specified');
      return existing;
    }
    if (field === 'photo') {
      const size = sniffImage(upload.bytes);
      if (!size) throw badRequest('IMAGE_PROCESS_FAILED');
      return registerFile(
        { bytes: upload.bytes, mimeType: 'image/jpeg', width: size.width, height: size.height },
        'photos',
      );
    }
    return registerFile(
      { bytes: upload.bytes, fileName: upload.filename, mimeType: guessMime(upload.filename, upload.mimeType) },
      'documents',
    );
  };

  // --- update delivery -----------------------------------------------------------------------------------------

  const updateType = (u: TJson): string | undefined => Object.keys(u).find((k) => k !== 'update_id');

  const wantsUpdate = (bot: TBot, u: TJson): boolean => {
    const type = updateType(u);
    if (type === undefined) return false;
    return bot.allowedUpdates && bot.allowedUpdates.length > 0
      ? bot.allowedUpdates.includes(type)
      : !OPT_IN_UPDATES.has(type);
  };

  /** POSTs one update, retrying non-2xx answers a few times like Telegram; returns the first status seen. */
  const deliverToWebhook = async (bot: TBot, hook: TWebhook, update: TUpdate): Promise<number> => {
    const body = JSON.stringify(update);
    const headers: Record<string, string> = hook.secretToken
      ? { 'X-Telegram-Bot-Api-Secret-Token': hook.secretToken }
      : {};
    let first: number | undefined;
    for (let attempt = 0; attempt < WEBHOOK_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(WEBHOOK_RETRY_DELAY_MS * attempt);
      // Stop retrying once the webhook was removed/replaced or the fake is closing.
      if (closed || bot.webhook !== hook) break;
      const status = await postUpdate(hook.url, body, headers, inflightWebhooks);
      first ??= status;
      if (status >= 200 && status < 300) break;
      bot.lastErrorDate = now();
      bot.lastErrorMessage =
        status === 0
          ? 'Connection refused'
          : `Wrong response from the webhook: ${status} ${STATUS_CODES[status] ?? ''}`.trim();
      changed();
    }
    return first ?? 0;
  };

  /**
   * Webhook set → POST it now. Otherwise queue it for getUpdates and wake a waiting long poll. Updates of types
   * the bot did not ask for (allowed_updates) are dropped, as Telegram never produces them.
   */
  const route = async (bot: TBot, update: TUpdate): Promise<{ webhookStatus?: number }> => {
    if (!wantsUpdate(bot, update)) return {};
    const hook = bot.webhook;
    if (hook) return { webhookStatus: await deliverToWebhook(bot, hook, update) };
    bot.pending.push(update);
    bot.poller?.settle({ kind: 'wake' });
    changed();
    return {};
  };

  // --- methods ---------------------------------------------------------------------------------------------------

  const sendMedia =
    (field: 'photo' | 'document'): THandler =>
    ({ bot, params, uploads }) => {
      const chat = chatOrThrow(params);
      const threadId = threadForSend(chat, params);
      const caption = readFormatted(params, 'caption', { max: CAPTION_MAX, required: false });
      const replyTo = replyTarget(chat, params);
      const file = inputFile(params, uploads, field);
      const body: TJson = field === 'photo' ? { photo: photoSizes(file) } : { document: documentJson(file) };
      if (caption.text !== undefined) body.caption = caption.text;
      if (caption.entities) body.caption_entities = caption.entities;
      const msg = storeMessage(chat, {
        ...(threadId !== undefined ? { threadId } : {}),
        ...(replyTo ? { replyTo } : {}),
        ...(caption.text !== undefined ? { text: caption.text } : {}),
        from: userJson(bot),
        fromBot: true,
        body,
      });
      return msg.json;
    };

  const handlers: Record<string, THandler> = {
    getme: ({ bot }) => ({
      ...userJson(bot),
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    }),

    getchat: ({ params }) => {
      const chat = chatOrThrow(params);
      const info: TJson = { id: chat.id, title: chat.title, type: 'supergroup' };
      if (chat.isForum) info.is_forum = true;
      return {
        ...info,
        accent_color_id: 0,
        max_reaction_count: 11,
        accepted_gift_types: {
          unlimited_gifts: false,
          limited_gifts: false,
          unique_gifts: false,
          premium_subscription: false,
          gifts_from_channels: false,
        },
        permissions: {
          can_send_messages: true,
          can_send_audios: true,
          can_send_documents: true,
          can_send_photos: true,
          can_send_videos: true,
          can_send_video_notes: true,
          can_send_voice_notes: true,
          can_send_polls: true,
          can_send_other_messages: true,
          can_add_web_page_previews: true,
          can_change_info: false,
          can_invite_users: true,
          can_pin_messages: false,
          can_manage_topics: false,
        },
      };
    },

    getchatmember: ({ params }) => {
      const chat = chatOrThrow(params);
      const userId = optInt(params, 'user_id');
      if (userId === undefined) throw badRequest('user_id is empty'); // wording unverified
      const memberBot = [...bots.values()].find((b) => b.id === userId);
      if (memberBot) {
        if (!chat.botIsAdmin) return { status: 'member', user: userJson(memberBot) };
        return {
          status: 'administrator',
          user: userJson(memberBot),
          can_be_edited: false,
          is_anonymous: false,
          can_manage_chat: true,
          can_delete_messages: true,
          can_manage_video_chats: true,
          can_restrict_members: true,
          can_promote_members: false,
          can_change_info: true,
          can_invite_users: true,
          can_post_stories: false,
          can_edit_stories: false,
          can_delete_stories: false,
          can_pin_messages: true,
          can_manage_topics: chat.canManageTopics,
        };
      }
      const human = chat.humans.get(userId);
      if (human) return { status: 'member', user: human };
      throw badRequest('user not found');
    },

    createforumtopic: ({ bot, params }) => {
      const chat = chatOrThrow(params);
      if (!chat.isForum) throw badRequest('the chat is not a forum');
      if (!canManageTopics(chat)) throw badRequest('not enough rights to create a topic');
      const name = optStr(params, 'name') ?? '';
      const nameLength = [...name].length;
      if (nameLength < 1 || nameLength > TOPIC_NAME_MAX) throw badRequest('TOPIC_NAME_INVALID');
      const color = optInt(params, 'icon_color');
      // Telegram's exact wording for a bad colour is unverified; the allowed set is from the docs.
      if (color !== undefined && !TOPIC_COLORS.includes(color)) throw badRequest('TOPIC_ICON_COLOR_INVALID');
      const emoji = optStr(params, 'icon_custom_emoji_id');
      const iconColor = color ?? TOPIC_COLORS[0] ?? 0x6fb9f0;
      // The topic id IS the id of its forum_topic_created service message (they share the chat's message ids).
      const threadId = chat.nextMessageId;
      const created: TJson = { name, icon_color: iconColor };
      if (emoji) created.icon_custom_emoji_id = emoji;
      storeMessage(chat, {
        threadId,
        from: userJson(bot),
        fromBot: true,
        isService: true,
        body: { forum_topic_created: created },
      });
      const topic: TTopic = { threadId, name, iconColor, closed: false, deleted: false };
      if (emoji) topic.iconCustomEmojiId = emoji;
      chat.topics.set(threadId, topic);
      return { message_thread_id: threadId, ...created };
    },

    editforumtopic: ({ params }) => {
      const chat = chatOrThrow(params);
      const topic = topicOrThrow(chat, params);
      if (!canManageTopics(chat)) throw badRequest('CHAT_ADMIN_REQUIRED');
      const name = optStr(params, 'name');
      const emoji = optStr(params, 'icon_custom_emoji_id');
      if (name !== undefined && [...name].length > TOPIC_NAME_MAX) throw badRequest('TOPIC_NAME_INVALID');
      // An empty/missing name keeps the current one; an empty emoji id removes the icon.
      const nextName = name ? name : topic.name;
      const nextEmoji = emoji === undefined ? topic.iconCustomEmojiId : emoji || undefined;
      if (nextName === topic.name && nextEmoji === topic.iconCustomEmojiId) throw badRequest('TOPIC_NOT_MODIFIED');
      topic.name = nextName;
      if (nextEmoji === undefined) delete topic.iconCustomEmojiId;
      else topic.iconCustomEmojiId = nextEmoji;
      return true;
    },

    closeforumtopic: ({ params }) => {
      const chat = chatOrThrow(params);
      const topic = topicOrThrow(chat, params);
      if (!canManageTopics(chat)) throw badRequest('CHAT_ADMIN_REQUIRED');
      if (topic.closed) throw badRequest('TOPIC_NOT_MODIFIED');
      topic.closed = true;
      return true;
    },

    reopenforumtopic: ({ params }) => {
      const chat = chatOrThrow(params);
      const topic = topicOrThrow(chat, params);
      if (!canManageTopics(chat)) throw badRequest('CHAT_ADMIN_REQUIRED');
      if (!topic.closed) throw badRequest('TOPIC_NOT_MODIFIED');
      topic.closed = false;
      return true;
    },

    deleteforumtopic: ({ params }) => {
      const chat = chatOrThrow(params);
      const topic = topicOrThrow(chat, params);
      if (!canManageTopics(chat)) throw badRequest('CHAT_ADMIN_REQUIRED');
      removeTopic(chat, topic);
      return true;
    },

    sendmessage: ({ bot, params }) => {
      const chat = chatOrThrow(params);
      const threadId = threadForSend(chat, params);
      const { text, entities } = readFormatted(params, 'text', { max: TEXT_MAX, required: true });
      const replyTo = replyTarget(chat, params);
      const body: TJson = { text };
      if (entities) body.entities = entities;
      const msg = storeMessage(chat, {
        ...(threadId !== undefined ? { threadId } : {}),
        ...(replyTo ? { replyTo } : {}),
        ...(entities ? { entities } : {}),
        ...(text !== undefined ? { text } : {}),
        from: userJson(bot),
        fromBot: true,
        body,
      });
      return msg.json;
    },

    sendchataction: ({ params }) => {
      const chat = chatOrThrow(params);
      threadForSend(chat, params);
      const action = optStr(params, 'action');
      if (!action || !CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
      return true;
    },

    editmessagetext: ({ bot, params }) => {
      if (isPresent(params.inline_message_id)) throw badRequest('MESSAGE_ID_INVALID'); // inline messages are not modelled
      const chat = chatOrThrow(params);
      const id = optInt(params, 'message_id');
      if (id === undefined) throw badRequest('message identifier is not specified');
      const msg = chat.messages.get(id);
      if (!msg || msg.deleted || msg.isService) throw badRequest('message to edit not found');
      if (!msg.fromBot || msg.senderId !== bot.id) throw badRequest("message can't be edited");
      if (msg.isMedia) throw badRequest('there is no text in the message to edit');
      const { text, entities } = readFormatted(params, 'text', { max: TEXT_MAX, required: true });
      if (text === msg.text && JSON.stringify(entities ?? []) === JSON.stringify(msg.entities ?? []))
        throw badRequest(NOT_MODIFIED);
      if (text !== undefined) msg.text = text;
      msg.json.text = text;
      if (entities) {
        msg.entities = entities;
        msg.json.entities = entities;
      } else {
        delete msg.entities;
        delete msg.json.entities;
      }
      msg.json.edit_date = now();
      msg.edited = true;
      return msg.json;
    },

    deletemessage: ({ bot, params }) => {
      const chat = chatOrThrow(params);
      const id = optInt(params, 'message_id');
      const msg = id === undefined ? undefined : chat.messages.get(id);
      if (!msg || msg.deleted) throw badRequest('message to delete not found');
      const isOwn = msg.fromBot && msg.senderId === bot.id;
      if (msg.isService || (!isOwn && !chat.botIsAdmin)) throw badRequest("message can't be deleted");
      msg.deleted = true;
      return true;
    },

    sendphoto: sendMedia('photo'),
    senddocument: sendMedia('document'),

    getfile: ({ params }) => {
      const id = optStr(params, 'file_id');
      if (!id) throw badRequest('file_id is empty'); // wording unverified
      const file = filesById.get(id);
      if (!file) throw badRequest('invalid file_id');
      if (file.bytes.length > DOWNLOAD_MAX_BYTES) throw badRequest('file is too big');
      return {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        file_size: file.bytes.length,
        file_path: file.filePath,
      };
    },

    setwebhook: ({ bot, params }) => {
      const url = optStr(params, 'url') ?? '';
      if (url === '') return removeWebhook(bot, optBool(params, 'drop_pending_updates'));
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw badRequest('invalid webhook URL specified');
      }
      // Telegram only accepts HTTPS on ports 443/80/88/8443; the fake also takes http:// so tests can use 127.0.0.1.
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
        throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
      const secret = optStr(params, 'secret_token');
      if (secret !== undefined && secret !== '' && !SECRET_TOKEN_RE.test(secret))
        throw badRequest('secret token contains unallowed characters');
      const allowed = optJson(params, 'allowed_updates');
      if (allowed !== undefined) {
        if (!Array.isArray(allowed)) throw badRequest("can't parse allowed_updates JSON array");
        bot.allowedUpdates = allowed.map(String);
      }
      const hook: TWebhook = { url, maxConnections: optInt(params, 'max_connections') ?? 40 };
      if (secret) hook.secretToken = secret;
      const same = bot.webhook?.url === url && bot.webhook.secretToken === hook.secretToken;
      bot.webhook = hook;
      // A long poll that was waiting can no longer be answered normally.
      bot.poller?.settle({ kind: 'fail', error: new ApiError(409, WEBHOOK_CONFLICT) });
      if (optBool(params, 'drop_pending_updates')) bot.pending = [];
      // Updates queued while polling now go to the webhook, in order, in the background.
      const backlog = bot.pending;
      bot.pending = [];
      if (backlog.length > 0) {
        void (async () => {
          for (const u of backlog) await deliverToWebhook(bot, hook, u);
        })();
      }
      return new Described(true, same ? 'Webhook is already set' : 'Webhook was set');
    },

    deletewebhook: ({ bot, params }) => removeWebhook(bot, optBool(params, 'drop_pending_updates')),

    getwebhookinfo: ({ bot }) => {
      const info: TJson = {
        url: bot.webhook?.url ?? '',
        has_custom_certificate: false,
        pending_update_count: bot.pending.length,
      };
      if (bot.webhook) {
        info.max_connections = bot.webhook.maxConnections;
        info.ip_address = '127.0.0.1';
      }
      if (bot.lastErrorDate !== undefined) info.last_error_date = bot.lastErrorDate;
      if (bot.lastErrorMessage !== undefined) info.last_error_message = bot.lastErrorMessage;
      if (bot.allowedUpdates) info.allowed_updates = bot.allowedUpdates;
      return info;
    },

    getupdates: async ({ bot, params, signal }) => {
      if (bot.webhook) throw new ApiError(409, WEBHOOK_CONFLICT);
      // Only one getUpdates may be open per bot: a newer one terminates the older, as on the real API.
      bot.poller?.settle({ kind: 'fail', error: new ApiError(409, POLL_CONFLICT) });
      const offset = optInt(params, 'offset');
      const limit = Math.min(100, Math.max(1, optInt(params, 'limit') ?? 100));
      const timeout = Math.max(0, optInt(params, 'timeout') ?? 0);
      const allowed = optJson(params, 'allowed_updates');
      if (Array.isArray(allowed)) bot.allowedUpdates = allowed.map(String);
      // offset confirms every update below it; a negative offset keeps only the last |offset| updates.
      if (offset !== undefined)
        bot.pending = offset < 0 ? bot.pending.slice(offset) : bot.pending.filter((u) => u.update_id >= offset);
      const batch = (): TUpdate[] => bot.pending.slice(0, limit);
      if (batch().length > 0 || timeout === 0) return batch();

      // Hold the request until an update arrives, the timeout passes, or the client goes away.
      const outcome = await new Promise<TPollOutcome>((resolve) => {
        const poller: TPoller = {
          settle(o) {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            if (bot.poller === poller) delete bot.poller;
            resolve(o);
          },
        };
        const onAbort = (): void => poller.settle({ kind: 'close' });
        const timer = setTimeout(() => poller.settle({ kind: 'wake' }), timeout * 1000);
        signal.addEventListener('abort', onAbort);
        bot.poller = poller;
      });
      if (outcome.kind === 'fail') throw outcome.error;
      if (bot.revoked) throw new ApiError(401, 'Unauthorized');
      return batch();
    },
  };

  function removeWebhook(bot: TBot, dropPending: boolean): Described {
    const had = bot.webhook !== undefined;
    delete bot.webhook;
    if (dropPending) bot.pending = [];
    return new Described(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
  }

  function removeTopic(chat: TChat, topic: TTopic): void {
    topic.deleted = true;
    for (const m of chat.messages.values()) if (m.threadId === topic.threadId) m.deleted = true;
  }

  // --- persistence ---------------------------------------------------------------------------------------------

  const exportState = (): TFakeTelegramState => ({
    format: 'pocketping-fake-telegram',
    version: 1,
    counters: { nextBotId, nextChatSeq, nextFileSeq },
    bots: [...bots.values()].map((b) => {
      const row: TFakeTelegramState['bots'][number] = {
        token: b.token,
        id: b.id,
        username: b.username,
        firstName: b.firstName,
        revoked: b.revoked,
        nextUpdateId: b.nextUpdateId,
        pendingUpdates: structuredClone(b.pending),
      };
      if (b.webhook) row.webhook = { ...b.webhook };
      if (b.allowedUpdates) row.allowedUpdates = [...b.allowedUpdates];
      if (b.lastErrorDate !== undefined) row.lastErrorDate = b.lastErrorDate;
      if (b.lastErrorMessage !== undefined) row.lastErrorMessage = b.lastErrorMessage;
      return row;
    }),
    chats: [...chats.values()].map((c) => ({
      id: c.id,
      title: c.title,
      isForum: c.isForum,
      botIsAdmin: c.botIsAdmin,
      canManageTopics: c.canManageTopics,
      nextMessageId: c.nextMessageId,
      topics: [...c.topics.values()].map((t) => ({ ...t })),
      messages: [...c.messages.values()].map(({ json, entities, ...m }) => ({
        ...m,
        ...(entities ? { entities: structuredClone(entities) } : {}),
        message: structuredClone(json),
      })),
      humans: structuredClone([...c.humans.values()]),
    })),
    files: [...filesById.values()].map(({ bytes, ...f }) => ({ ...f, base64: bytes.toString('base64') })),
  });

  const importState = (raw: unknown): void => {
    let state: TFakeTelegramState;
    try {
      state = checkState(structuredClone(raw));
    } catch (err) {
      if (err instanceof StateError) throw new Error(`fake-telegram: invalid state: ${err.message}`);
      throw err;
    }
    // Held long polls belong to the bots being replaced: answer them (empty) before dropping those bots.
    for (const bot of bots.values()) bot.poller?.settle({ kind: 'wake' });
    bots.clear();
    chats.clear();
    filesById.clear();
    filesByPath.clear();
    ({ nextBotId, nextChatSeq, nextFileSeq } = state.counters);
    for (const b of state.bots) {
      const bot: TBot = {
        token: b.token,
        id: b.id,
        username: b.username,
        firstName: b.firstName,
        revoked: b.revoked,
        nextUpdateId: b.nextUpdateId,
        pending: b.pendingUpdates as TUpdate[],
      };
      if (b.webhook) bot.webhook = { ...b.webhook };
      if (b.allowedUpdates) bot.allowedUpdates = b.allowedUpdates.map(String);
      if (b.lastErrorDate !== undefined) bot.lastErrorDate = b.lastErrorDate;
      if (b.lastErrorMessage !== undefined) bot.lastErrorMessage = b.lastErrorMessage;
      bots.set(bot.token, bot);
    }
    for (const c of state.chats) {
      chats.set(c.id, {
        id: c.id,
        title: c.title,
        isForum: c.isForum,
        botIsAdmin: c.botIsAdmin,
        canManageTopics: c.canManageTopics,
        nextMessageId: c.nextMessageId,
        topics: new Map(c.topics.map((t) => [t.threadId, { ...t }])),
        messages: new Map(c.messages.map(({ message, ...m }) => [m.messageId, { ...m, json: message }])),
        humans: new Map(c.humans.map((h) => [Number(h.id), h])),
      });
    }
    for (const { base64, ...f } of state.files) {
      const file: TStoredFile = { ...f, bytes: Buffer.from(base64, 'base64') };
      filesById.set(file.fileId, file);
      filesByPath.set(file.filePath, file);
    }
  };

  if (opts.initialState !== undefined) importState(opts.initialState);

  // --- request handling ------------------------------------------------------------------------------------------

  const serveFile = (res: ServerResponse, token: string, path: string): void => {
    const bot = bots.get(token);
    if (!bot || bot.revoked) return sendError(res, new ApiError(401, 'Unauthorized'));
    const file = filesByPath.get(decodeURIComponent(path));
    if (!file) return sendError(res, new ApiError(404, 'Not Found'));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
    res.end(file.bytes);
  };

  /** Anything that is not the Bot API: the health probe, then the owner's extra routes, else a Telegram-style 404. */
  const handleOther = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (url.pathname === '/health' || url.pathname === '/health/') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return sendJson(res, 405, { ok: false, error: 'Method Not Allowed' });
      }
      return sendJson(res, 200, { ok: true });
    }
    if (opts.extraRoutes && !/^\/(bot|file\/)/.test(url.pathname)) {
      try {
        if (await opts.extraRoutes(req, res, url, fake)) return;
      } catch (err) {
        return sendJson(res, 500, {
          ok: false,
          error: `Internal Server Error: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
    return sendError(res, new ApiError(404, 'Not Found'));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fileRoute = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileRoute) return serveFile(res, fileRoute[1] ?? '', fileRoute[2] ?? '');
    const apiRoute = /^\/bot([^/]+)\/([^/]*)\/?$/.exec(url.pathname);
    if (!apiRoute) return handleOther(req, res, url);
    const token = decodeURIComponent(apiRoute[1] ?? '');
    const method = apiRoute[2] ?? '';

    // Recorded on arrival (so order is arrival order) and completed once the body is read.
    const call: TFakeTelegramCall = { method, token, params: {}, at: Date.now() };
    calls.push(call);

    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborter.abort();
    });

    try {
      const { params, uploads } = await parseParams(req, url);
      call.params = params;
      if (uploads.length > 0) {
        call.files = uploads.map((u) => {
          const attachedTo = Object.keys(params).find((k) => params[k] === `attach://${u.part}`);
          return { field: attachedTo ?? u.part, filename: u.filename, size: u.bytes.length, mimeType: u.mimeType };
        });
      }
      if (latencyMs > 0) await sleep(latencyMs);

      const bot = bots.get(token);
      if (!bot || bot.revoked) throw new ApiError(401, 'Unauthorized');
      const key = method.toLowerCase();
      const injected = failures.get(key)?.shift();
      if (injected) throw new ApiError(injected.errorCode, injected.description, injected.retryAfter);
      const handler = handlers[key];
      if (!handler) throw new ApiError(404, 'Not Found');

      const result = await handler({ bot, params, uploads, signal: aborter.signal });
      if (!READ_ONLY_METHODS.has(key)) changed();
      if (result instanceof Described)
        sendJson(res, 200, { ok: true, result: result.result, description: result.description });
      else sendJson(res, 200, { ok: true, result });
    } catch (err) {
      if (err instanceof ApiError) sendError(res, err);
      else
        sendError(res, new ApiError(500, `Internal Server Error: ${err instanceof Error ? err.message : String(err)}`));
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  // --- test-side controls ----------------------------------------------------------------------------------------

  const chatForTest = (chatId: number): TChat => {
    const chat = chats.get(chatId);
    if (!chat) throw new Error(`fake-telegram: unknown chat ${chatId} (add it with addForumChat)`);
    return chat;
  };
  const botForTest = (token: string): TBot => {
    const bot = bots.get(token);
    if (!bot) throw new Error('fake-telegram: unknown bot token (add it with addBot)');
    return bot;
  };

  const fake: TFakeTelegram = {
    apiRoot: `http://127.0.0.1:${port}`,
    port,
    calls,

    callsOf: (method) => calls.filter((c) => c.method.toLowerCase() === method.toLowerCase()),

    addBot(token, o = {}) {
      const existing = bots.get(token);
      if (existing) return { id: existing.id, username: existing.username, token };
      // Real tokens start with the bot's id ("123456:AA..."); use it when present.
      const fromToken = /^(\d+):/.exec(token)?.[1];
      const id = o.id ?? (fromToken ? Number(fromToken) : nextBotId++);
      const username = o.username ?? `pocketping_test_${id}_bot`;
      bots.set(token, {
        token,
        id,
        username,
        firstName: o.firstName ?? 'PocketPing Test Bot',
        revoked: false,
        nextUpdateId: 700_000_001,
        pending: [],
      });
      changed();
      return { id, username, token };
    },

    addForumChat(o = {}) {
      const id = o.id ?? -(1_001_000_000_000 + nextChatSeq++);
      chats.set(id, {
        id,
        title: o.title ?? 'Support',
        isForum: o.isForum ?? true,
        botIsAdmin: o.botIsAdmin ?? true,
        canManageTopics: o.canManageTopics ?? true,
        // Starts above 1 because thread id 1 is the General topic and topic ids come from this counter.
        nextMessageId: 2,
        topics: new Map(),
        messages: new Map(),
        humans: new Map(),
      });
      changed();
      return { id };
    },

    restoreToken(token) {
      botForTest(token).revoked = false;
    },

    revokeToken(token) {
      const bot = botForTest(token);
      bot.revoked = true;
      bot.poller?.settle({ kind: 'fail', error: new ApiError(401, 'Unauthorized') });
      changed();
    },

    failNext(method, failure, times = 1) {
      const key = method.toLowerCase();
      const queue = failures.get(key) ?? [];
      for (let n = 0; n < times; n++) queue.push(failure);
      failures.set(key, queue);
    },

    deleteTopic(chatId, threadId) {
      const chat = chatForTest(chatId);
      const topic = chat.topics.get(threadId);
      if (!topic || topic.deleted) throw new Error(`fake-telegram: no topic ${threadId} in chat ${chatId}`);
      removeTopic(chat, topic);
      changed();
    },

    topics: (chatId) =>
      [...chatForTest(chatId).topics.values()]
        .filter((t) => !t.deleted)
        .map((t) => ({ threadId: t.threadId, name: t.name, closed: t.closed })),

    messages(chatId, threadId) {
      return [...chatForTest(chatId).messages.values()]
        .filter((m) => !m.isService && (threadId === undefined || m.threadId === threadId))
        .map((m) => {
          const row: {
            messageId: number;
            threadId?: number;
            text?: string;
            fromBot: boolean;
            deleted: boolean;
            edited: boolean;
          } = {
            messageId: m.messageId,
            fromBot: m.fromBot,
            deleted: m.deleted,
            edited: m.edited,
          };
          if (m.threadId !== undefined) row.threadId = m.threadId;
          if (m.text !== undefined) row.text = m.text;
          return row;
        });
    },

    async operatorWrites(o) {
      const bot = botForTest(o.token);
      const chat = chatForTest(o.chatId);
      const inGeneral = chat.isForum && o.threadId === GENERAL_THREAD_ID;
      if (!inGeneral) {
        const topic = chat.topics.get(o.threadId);
        if (!topic || topic.deleted) throw new Error(`fake-telegram: no topic ${o.threadId} in chat ${o.chatId}`);
      }
      const from: TJson = { ...(o.from ?? DEFAULT_OPERATOR), is_bot: false, language_code: 'en' };
      chat.humans.set(Number(from.id), from);

      let update: TUpdate;
      if (o.editOf !== undefined) {
        const msg = chat.messages.get(o.editOf);
        if (!msg || msg.deleted || msg.fromBot || msg.isService)
          throw new Error(`fake-telegram: no human message ${o.editOf} to edit`);
        if (o.text === undefined) throw new Error('fake-telegram: an edit needs text');
        msg.text = o.text;
        if (msg.isMedia) msg.json.caption = o.text;
        else msg.json.text = o.text;
        msg.json.edit_date = now();
        msg.edited = true;
        update = { update_id: bot.nextUpdateId++, edited_message: structuredClone(msg.json) };
      } else {
        if (!o.photo && o.text === undefined) throw new Error('fake-telegram: operatorWrites needs text or photo');
        let body: TJson;
        if (o.photo) {
          const file = registerFile({ bytes: TINY_JPEG, mimeType: 'image/jpeg', width: 8, height: 8 }, 'photos');
          body = { photo: photoSizes(file) };
          if (o.text !== undefined) body.caption = o.text;
        } else {
          body = { text: o.text };
        }
        const msg = storeMessage(chat, {
          ...(inGeneral ? {} : { threadId: o.threadId }),
          ...(o.text !== undefined ? { text: o.text } : {}),
          from,
          fromBot: false,
          body,
        });
        update = { update_id: bot.nextUpdateId++, message: structuredClone(msg.json) };
      }
      changed();
      const delivery = await route(bot, update);
      return { update, ...delivery };
    },

    async deliverUpdate(token, raw) {
      const bot = botForTest(token);
      // Keep a given update_id (redelivery tests need duplicates); later generated ids stay above it.
      const id = typeof raw.update_id === 'number' ? raw.update_id : bot.nextUpdateId++;
      bot.nextUpdateId = Math.max(bot.nextUpdateId, id + 1);
      changed();
      return route(bot, { ...raw, update_id: id });
    },

    messageObjects(chatId, threadId) {
      const chat = chatForTest(chatId);
      const wanted = threadId !== undefined && chat.isForum && threadId === GENERAL_THREAD_ID ? undefined : threadId;
      return [...chat.messages.values()]
        .filter((m) => !m.isService && (threadId === undefined || m.threadId === wanted))
        .map((m) => ({ message: structuredClone(m.json), fromBot: m.fromBot, deleted: m.deleted, edited: m.edited }));
    },

    webhookOf(token) {
      const hook = botForTest(token).webhook;
      if (!hook) return undefined;
      return hook.secretToken === undefined ? { url: hook.url } : { url: hook.url, secretToken: hook.secretToken };
    },

    exportState,
    importState,

    reset() {
      calls.length = 0;
      failures.clear();
    },

    async close() {
      closed = true;
      // Answer held long polls with an empty batch so clients see a clean end rather than a reset socket.
      for (const bot of bots.values()) bot.poller?.settle({ kind: 'wake' });
      for (const req of inflightWebhooks) req.destroy();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await sleep(10); // let those answers reach the socket before connections are cut
      server.closeAllConnections();
      await stopped;
    },
  };
  return fake;
}
