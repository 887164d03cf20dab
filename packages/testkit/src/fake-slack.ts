// Fake Slack (Web API, OAuth v2, Events API, Socket Mode) on 127.0.0.1 — the official @slack/web-api WebClient is
// pointed at it through `slackApiUrl` (`new WebClient(token, { slackApiUrl: fake.apiUrl })`), so tests exercise the
// real client against the real wire format:
//   POST {apiUrl}<method>, form-encoded or JSON body, token as `Authorization: Bearer` (or a `token` form field);
//   every answer is HTTP 200 with `{ok:true,...}` or `{ok:false,error}`, except rate limits: HTTP 429 with a
//   `Retry-After` header (seconds).
// Inbound, it plays Slack's side of the Events API: a message written by a "human" is wrapped in an event_callback
// envelope, signed (X-Slack-Signature v0 + X-Slack-Request-Timestamp) with the app's signing secret, and POSTed to
// the events URL — or, once a Socket Mode client has connected (apps.connections.open → ws URL), sent over the
// WebSocket as an `events_api` envelope that the client must ack with its envelope_id.
//
// Files: files.getUploadURLExternal → POST the bytes (raw or multipart) to the upload_url it returns →
// files.completeUploadExternal shares them in a channel/thread; operators' files are served at their url_private
// (bot token required, as on files.slack.com); files.delete removes one.
//
// Shapes follow docs.slack.dev (chat.postMessage, oauth.v2.access, message events, Socket Mode). Where the fake
// knowingly simplifies, the comment at that spot says so. Test tool only: state lives in memory.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import busboy from 'busboy';
import { WebSocketServer, type WebSocket } from 'ws';

// ---------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------

export interface TFakeSlackCall {
  method: string;
  /** The bearer (or form) token, '' when none was sent. */
  token: string;
  /** Query and body parameters merged (body wins); strings for form bodies, typed values for JSON bodies. */
  params: Record<string, unknown>;
  at: number;
  /** HTTP status the fake answered with, and the `error` of an `ok:false` answer. */
  status: number;
  error?: string;
}

export interface TFakeSlackMessage {
  ts: string;
  channel: string;
  threadTs?: string;
  user: string;
  botId?: string;
  text: string;
  blocks?: unknown;
  deleted: boolean;
  edited: boolean;
  /** Post options as received (unfurl_links, link_names, …), for assertions. */
  options: Record<string, unknown>;
  /** File ids shared with the message. */
  files?: string[];
  /** Message metadata as posted (`{ event_type, event_payload }`); returned by reads only with include_all_metadata. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface TFakeSlackFile {
  id: string;
  teamId: string;
  name: string;
  title: string;
  mimetype: string;
  data: Buffer;
  /** Who uploaded it: the bot's user id for app uploads, the human's for operatorWrites. */
  user: string;
  /** Where it was shared (completeUploadExternal / a human's post); absent while only uploaded. */
  channel?: string;
  threadTs?: string;
  initialComment?: string;
  deleted: boolean;
}

export interface TFakeSlackDelivery {
  /** HTTP status of the events URL (0 = connection failed), or 'socket' when it went through Socket Mode. */
  status: number | 'socket';
  body: string;
  eventId: string;
  payload: Record<string, unknown>;
}

export interface TFakeSlackOptions {
  port?: number;
  /**
   * Delay (ms) between carrying out a Web API call and answering it: the call is done (a post is stored) while its
   * answer is still on the way, the window in which a killed client leaves a post it does not know about.
   */
  latencyMs?: number;
  /** The app's signing secret (Events API signatures). A random one by default. */
  signingSecret?: string;
  /** The app's OAuth client credentials (oauth.v2.access). Random by default. */
  clientId?: string;
  clientSecret?: string;
  /** Where Events API requests go (the app's Request URL). Can be set later with setEventsUrl. */
  eventsUrl?: string;
  /**
   * Also send the bot's own posts back as message events (bot_id set), as Slack does for an app subscribed to
   * message.channels. Off by default to keep call logs short.
   */
  echoBotMessages?: boolean;
}

export interface TFakeSlack {
  /** `http://127.0.0.1:<port>/api/` — pass as slackApiUrl / SLACK_API_URL. */
  apiUrl: string;
  /** `http://127.0.0.1:<port>/oauth/v2/authorize` — the consent screen, which approves at once. */
  authorizeUrl: string;
  port: number;
  signingSecret: string;
  clientId: string;
  clientSecret: string;
  appId: string;
  calls: TFakeSlackCall[];
  callsOf(method: string): TFakeSlackCall[];
  setEventsUrl(url: string | null): void;
  addTeam(opts?: { id?: string; name?: string }): { id: string; name: string };
  /** A bot install in a team (what oauth.v2.access creates). */
  addBot(opts: { teamId: string; token?: string; name?: string }): { token: string; botUserId: string; botId: string };
  addUser(opts: { teamId: string; name: string; displayName?: string; realName?: string }): { id: string };
  addChannel(opts: {
    teamId: string;
    name: string;
    id?: string;
    isPrivate?: boolean;
    isArchived?: boolean;
    members?: string[];
  }): { id: string };
  archiveChannel(channelId: string): void;
  deleteChannel(channelId: string): void;
  removeFromChannel(channelId: string, userId: string): void;
  /** Makes the app token (xapp-…) valid for apps.connections.open; events then go through Socket Mode once a client is connected. */
  enableSocketMode(appToken?: string): string;
  /** Number of open Socket Mode connections. */
  socketConnections(): number;
  /** Issues an authorization code the way the consent screen would (for tests that skip the redirect). */
  issueOAuthCode(opts: { teamId: string; redirectUri?: string; scope?: string }): string;
  revokeToken(token: string): void;
  restoreToken(token: string): void;
  /**
   * The next `times` calls of `method` fail: `{ error }` answers `{ok:false,error}` (HTTP 200), `{ status: 429,
   * retryAfter }` answers HTTP 429 with Retry-After, any other status answers that HTTP status.
   */
  failNext(method: string, failure: { error?: string; status?: number; retryAfter?: number }, times?: number): void;
  messages(channel: string, threadTs?: string): TFakeSlackMessage[];
  /** A human writes in a thread: stored, then delivered as a message event (and again for each retry, with X-Slack-Retry-Num). */
  operatorWrites(opts: {
    channel: string;
    thread_ts: string;
    text: string;
    user: string;
    retries?: number;
    eventId?: string;
    /** Files shared with the message (a file_share message event with url_private / url_private_download). */
    files?: { name: string; mimetype: string; data: Uint8Array }[];
  }): Promise<{ ts: string; eventId: string; deliveries: TFakeSlackDelivery[] }>;
  /** Files uploaded by the app or shared by humans (for assertions). */
  files(): TFakeSlackFile[];
  /**
   * A workspace admin removes the app: every bot token of the team is revoked, then Slack sends tokens_revoked
   * (with the bot user ids) and app_uninstalled, as it does on a real uninstall.
   */
  uninstallApp(teamId: string): Promise<TFakeSlackDelivery[]>;
  /** The author edits a message: message_changed event. */
  edit(opts: { channel: string; ts: string; text: string }): Promise<TFakeSlackDelivery>;
  /** A human deletes a message (a reply, or a thread's parent): message_deleted event. */
  delete(opts: { channel: string; ts: string }): Promise<TFakeSlackDelivery>;
  /** Delivers an arbitrary event of a team, wrapped and signed like Slack does. */
  deliverEvent(
    teamId: string,
    event: Record<string, unknown>,
    opts?: { eventId?: string; retryNum?: number; signingSecret?: string; timestamp?: number },
  ): Promise<TFakeSlackDelivery>;
  reset(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------------------------------------------

interface TBot {
  token: string;
  teamId: string;
  botUserId: string;
  botId: string;
  name: string;
  revoked: boolean;
  scope: string;
}
interface TUser {
  id: string;
  teamId: string;
  name: string;
  displayName: string;
  realName: string;
  isBot: boolean;
  botId?: string;
}
interface TChannel {
  id: string;
  teamId: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  deleted: boolean;
  members: Set<string>;
  created: number;
}
interface TCode {
  code: string;
  teamId: string;
  redirectUri?: string;
  scope: string;
  used: boolean;
}

const TEXT_MAX = 40_000;
const BLOCKS_MAX = 50;
/** Slack's per-file limit is 1 GB; the fake keeps files in memory, so it stops far earlier. */
const FILE_MAX = 50 * 1024 * 1024;
const SCOPES =
  'chat:write,channels:read,channels:join,users:read,files:write,files:read,channels:history,groups:history';
/** Socket Mode: Slack retries an unacknowledged envelope; the fake does it quickly so tests stay fast. */
const SOCKET_ACK_TIMEOUT_MS = 3_000;
const SOCKET_ATTEMPTS = 3;
/** Slack pings Socket Mode clients; the SDK disconnects when it hears nothing for 30 s. */
const SOCKET_PING_MS = 10_000;

/** Slack derives a file's type from its name; the fake knows the common ones. */
function mimeFromName(name: string): string | undefined {
  const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
  return (
    {
      png: 'image/png',
      jpg: 'image/jpeg',
      jpeg: 'image/jpeg',
      gif: 'image/gif',
      webp: 'image/webp',
      pdf: 'application/pdf',
      txt: 'text/plain',
      csv: 'text/csv',
    } as Record<string, string>
  )[ext];
}

const upperId = (prefix: string, n = 10) => prefix + randomBytes(n).toString('hex').toUpperCase().slice(0, n);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Slack refuses huge bodies too; 5 MB is far above anything the bridge sends.
      if (size > 5 * 1024 * 1024) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFakeSlack(opts: TFakeSlackOptions = {}): Promise<TFakeSlack> {
  const signingSecret = opts.signingSecret ?? randomBytes(16).toString('hex');
  const clientId = opts.clientId ?? `${Date.now()}.${Math.floor(Math.random() * 1e12)}`;
  const clientSecret = opts.clientSecret ?? randomBytes(16).toString('hex');
  const appId = upperId('A');
  let eventsUrl: string | null = opts.eventsUrl ?? null;

  const teams = new Map<string, { id: string; name: string; domain: string }>();
  const bots = new Map<string, TBot>();
  const users = new Map<string, TUser>();
  const channels = new Map<string, TChannel>();
  const messages: TFakeSlackMessage[] = [];
  const codes = new Map<string, TCode>();
  const failures = new Map<string, { error?: string; status?: number; retryAfter?: number }[]>();
  const calls: TFakeSlackCall[] = [];
  const appTokens = new Set<string>();
  const tickets = new Set<string>();
  const sockets = new Set<WebSocket>();
  const pendingAcks = new Map<string, () => void>();
  const files = new Map<string, TFakeSlackFile>();
  /** files.getUploadURLExternal tickets: upload id → file id, announced length, and whether the bytes came. */
  const uploads = new Map<
    string,
    { fileId: string; teamId: string; user: string; filename: string; length: number; received: boolean }
  >();
  let lastTsMicros = 0;

  /** Slack ts: "<unix seconds>.<6 digits>", unique per channel and increasing; the fake makes it globally unique. */
  const nextTs = () => {
    lastTsMicros = Math.max(lastTsMicros + 1, Date.now() * 1000);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };

  const channelObject = (ch: TChannel, forUser?: string) => ({
    id: ch.id,
    name: ch.name,
    is_channel: !ch.isPrivate,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: ch.isPrivate,
    created: ch.created,
    is_archived: ch.isArchived,
    is_general: false,
    name_normalized: ch.name,
    is_shared: false,
    is_org_shared: false,
    context_team_id: ch.teamId,
    ...(forUser !== undefined ? { is_member: ch.members.has(forUser) } : {}),
    num_members: ch.members.size,
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
  });

  const messageObject = (m: TFakeSlackMessage) => {
    const replies =
      m.threadTs === undefined
        ? messages.filter((r) => r.channel === m.channel && r.threadTs === m.ts && !r.deleted)
        : [];
    return {
      type: 'message',
      ...(m.botId ? { bot_id: m.botId, app_id: appId } : {}),
      user: m.user,
      text: m.text,
      ts: m.ts,
      team: channels.get(m.channel)?.teamId,
      ...(m.blocks !== undefined ? { blocks: m.blocks } : {}),
      ...(m.threadTs !== undefined
        ? { thread_ts: m.threadTs, parent_user_id: messages.find((p) => p.ts === m.threadTs)?.user }
        : {}),
      ...(replies.length > 0 ? { thread_ts: m.ts, reply_count: replies.length, latest_reply: replies.at(-1)?.ts } : {}),
      ...(m.edited ? { edited: { user: m.user, ts: nextTs() } } : {}),
    };
  };

  /** A Slack file object (the fields a client reads); url_private needs the bot token, like files.slack.com. */
  const fileObject = (f: TFakeSlackFile) => {
    const path = `files-pri/${f.teamId}-${f.id}/${encodeURIComponent(f.name)}`;
    return {
      id: f.id,
      created: Math.floor(Date.now() / 1000),
      timestamp: Math.floor(Date.now() / 1000),
      name: f.name,
      title: f.title,
      mimetype: f.mimetype,
      filetype: f.name.includes('.') ? f.name.split('.').pop()!.toLowerCase() : 'binary',
      pretty_type: f.mimetype,
      user: f.user,
      user_team: f.teamId,
      editable: false,
      size: f.data.length,
      mode: f.deleted ? 'tombstone' : 'hosted',
      is_external: false,
      external_type: '',
      is_public: f.channel !== undefined,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: `http://127.0.0.1:${port}/${path}`,
      url_private_download: `http://127.0.0.1:${port}/${path}?download=1`,
      permalink: `http://127.0.0.1:${port}/files/${f.user}/${f.id}/${encodeURIComponent(f.name)}`,
      channels: f.channel ? [f.channel] : [],
      groups: [],
      ims: [],
      comments_count: 0,
    };
  };

  // -------------------------------------------------------------------------------------------------------------
  // Events API / Socket Mode delivery
  // -------------------------------------------------------------------------------------------------------------

  const envelope = (teamId: string, event: Record<string, unknown>, eventId: string) => {
    const bot = [...bots.values()].find((b) => b.teamId === teamId);
    return {
      token: 'legacy-verification-token',
      team_id: teamId,
      context_team_id: teamId,
      context_enterprise_id: null,
      api_app_id: appId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: bot
        ? [{ enterprise_id: null, team_id: teamId, user_id: bot.botUserId, is_bot: true, is_enterprise_install: false }]
        : [],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(24).toString('base64url')}`,
    };
  };

  const sendOverSocket = async (
    payload: Record<string, unknown>,
    retryNum: number,
  ): Promise<TFakeSlackDelivery | null> => {
    const socket = [...sockets][0];
    if (!socket) return null;
    const eventId = String(payload.event_id);
    for (let attempt = retryNum; attempt < retryNum + SOCKET_ATTEMPTS; attempt++) {
      const envelopeId = randomBytes(16).toString('hex');
      const acked = new Promise<boolean>((resolve) => {
        const t = setTimeout(() => {
          pendingAcks.delete(envelopeId);
          resolve(false);
        }, SOCKET_ACK_TIMEOUT_MS);
        pendingAcks.set(envelopeId, () => {
          clearTimeout(t);
          resolve(true);
        });
      });
      socket.send(
        JSON.stringify({
          envelope_id: envelopeId,
          payload,
          type: 'events_api',
          accepts_response_payload: false,
          retry_attempt: attempt,
          retry_reason: attempt > 0 ? 'timeout' : '',
        }),
      );
      if (await acked) return { status: 'socket', body: '', eventId, payload };
    }
    return { status: 'socket', body: 'not acknowledged', eventId, payload };
  };

  const postToEventsUrl = async (
    payload: Record<string, unknown>,
    o: { retryNum?: number; signingSecret?: string; timestamp?: number },
  ): Promise<TFakeSlackDelivery> => {
    const eventId = String(payload.event_id);
    if (!eventsUrl) return { status: 0, body: 'no events URL configured', eventId, payload };
    const body = JSON.stringify(payload);
    const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
    const sig = `v0=${createHmac('sha256', o.signingSecret ?? signingSecret)
      .update(`v0:${ts}:${body}`)
      .digest('hex')}`;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': sig,
    };
    if (o.retryNum !== undefined && o.retryNum > 0) {
      headers['x-slack-retry-num'] = String(o.retryNum);
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    try {
      // Slack gives the app 3 seconds; past that it counts as a failure (and would retry).
      const res = await fetch(eventsUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(3_000) });
      return { status: res.status, body: await res.text(), eventId, payload };
    } catch (err) {
      return { status: 0, body: err instanceof Error ? err.message : String(err), eventId, payload };
    }
  };

  const deliver = async (
    teamId: string,
    event: Record<string, unknown>,
    o: { eventId?: string; retryNum?: number; signingSecret?: string; timestamp?: number } = {},
  ) => {
    const payload = envelope(teamId, event, o.eventId ?? upperId('Ev', 10));
    // Slack uses one mode per app: Socket Mode when it is on (and a client is connected), the Request URL otherwise.
    if (appTokens.size > 0) {
      const viaSocket = await sendOverSocket(payload, o.retryNum ?? 0);
      if (viaSocket) return viaSocket;
    }
    return postToEventsUrl(payload, o);
  };

  const messageEvent = (m: TFakeSlackMessage, ch: TChannel) => ({
    type: 'message',
    ...(m.files?.length
      ? {
          subtype: 'file_share',
          upload: true,
          display_as_bot: false,
          files: m.files.map((id) => fileObject(files.get(id)!)),
        }
      : {}),
    ...(m.botId ? { bot_id: m.botId, app_id: appId } : { client_msg_id: randomBytes(16).toString('hex') }),
    user: m.user,
    text: m.text,
    ts: m.ts,
    ...(m.threadTs !== undefined
      ? {
          thread_ts: m.threadTs,
          parent_user_id: messages.find((p) => p.channel === m.channel && p.ts === m.threadTs)?.user,
        }
      : {}),
    team: ch.teamId,
    channel: ch.id,
    event_ts: m.ts,
    channel_type: ch.isPrivate ? 'group' : 'channel',
  });

  // -------------------------------------------------------------------------------------------------------------
  // Web API
  // -------------------------------------------------------------------------------------------------------------

  type TAnswer = { status?: number; headers?: Record<string, string>; body: Record<string, unknown> };
  const fail = (error: string, extra: Record<string, unknown> = {}): TAnswer => ({
    body: { ok: false, error, ...extra },
  });

  const str = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  const bool = (v: unknown): boolean | undefined =>
    v === true || v === 'true' || v === '1' || v === 1
      ? true
      : v === false || v === 'false' || v === '0' || v === 0
        ? false
        : undefined;

  const botFor = (token: string): TBot | TAnswer => {
    if (!token) return fail('not_authed');
    const bot = bots.get(token);
    if (!bot) return fail('invalid_auth');
    if (bot.revoked) return fail('token_revoked');
    return bot;
  };
  const isAnswer = (v: unknown): v is TAnswer => typeof v === 'object' && v !== null && 'body' in v;
  /** Message metadata as chat.postMessage / chat.update take it (a JSON string or object); an error answer when malformed. */
  const readMetadata = (raw: unknown): TFakeSlackMessage['metadata'] | TAnswer | undefined => {
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = typeof raw === 'string' ? JSON.parse(raw) : raw;
    } catch {
      return fail('invalid_metadata_format');
    }
    const md = parsed as { event_type?: unknown; event_payload?: unknown } | null;
    if (
      !md ||
      typeof md.event_type !== 'string' ||
      !md.event_type ||
      typeof md.event_payload !== 'object' ||
      md.event_payload === null ||
      Array.isArray(md.event_payload)
    )
      return fail('invalid_metadata_schema');
    return { event_type: md.event_type, event_payload: md.event_payload as Record<string, unknown> };
  };

  /** A channel the bot can see: public ones of its team, private ones it is in. */
  const visibleChannel = (bot: TBot, id: unknown): TChannel | TAnswer => {
    const ch = typeof id === 'string' ? channels.get(id) : undefined;
    if (!ch || ch.deleted || ch.teamId !== bot.teamId || (ch.isPrivate && !ch.members.has(bot.botUserId)))
      return fail('channel_not_found');
    return ch;
  };

  const flag = (v: unknown) => v === true || v === 'true' || v === '1';
  /** oldest/latest bounds of history reads, exclusive unless `inclusive`. */
  const timeWindow = (p: Record<string, unknown>) => {
    const inclusive = flag(p.inclusive);
    const oldest = str(p.oldest) ?? '';
    const latest = str(p.latest) ?? '';
    return (m: TFakeSlackMessage) =>
      (!oldest || (inclusive ? Number(m.ts) >= Number(oldest) : Number(m.ts) > Number(oldest))) &&
      (!latest || (inclusive ? Number(m.ts) <= Number(latest) : Number(m.ts) < Number(latest)));
  };
  /** One page of a history read: `limit` (default `defaultLimit`) from the cursor; metadata only with include_all_metadata. */
  const messagePage = (list: TFakeSlackMessage[], p: Record<string, unknown>, defaultLimit: number): TAnswer => {
    const limit = Math.min(1000, Math.max(1, Number(p.limit ?? defaultLimit) || defaultLimit));
    const start = Number(str(p.cursor) ?? 0) || 0;
    const more = start + limit < list.length;
    const withMetadata = flag(p.include_all_metadata);
    return {
      body: {
        ok: true,
        messages: list
          .slice(start, start + limit)
          .map((m) => ({ ...messageObject(m), ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}) })),
        has_more: more,
        response_metadata: { next_cursor: more ? String(start + limit) : '' },
      },
    };
  };

  const methods: Record<
    string,
    (p: Record<string, unknown>, token: string, auth: { basic?: { id: string; secret: string } }) => TAnswer
  > = {
    'api.test': (p) => ({ body: { ok: true, args: p } }),

    'auth.test': (_p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const team = teams.get(bot.teamId)!;
      return {
        body: {
          ok: true,
          url: `https://${team.domain}.slack.com/`,
          team: team.name,
          user: bot.name,
          team_id: team.id,
          user_id: bot.botUserId,
          bot_id: bot.botId,
          is_enterprise_install: false,
        },
      };
    },

    'oauth.v2.access': (p, _token, auth) => {
      const id = str(p.client_id) ?? auth.basic?.id;
      const secret = str(p.client_secret) ?? auth.basic?.secret;
      if (!id || id !== clientId) return fail('invalid_client_id');
      if (secret !== clientSecret) return fail('bad_client_secret');
      const c = codes.get(str(p.code) ?? '');
      if (!c || c.used) return fail('invalid_code');
      if (c.redirectUri !== undefined && str(p.redirect_uri) !== c.redirectUri) return fail('bad_redirect_uri');
      c.used = true;
      const team = teams.get(c.teamId)!;
      let bot = [...bots.values()].find((b) => b.teamId === c.teamId && !b.revoked);
      if (!bot) {
        const added = api.addBot({ teamId: c.teamId });
        bot = bots.get(added.token)!;
      }
      return {
        body: {
          ok: true,
          app_id: appId,
          authed_user: { id: upperId('U') },
          scope: c.scope,
          token_type: 'bot',
          access_token: bot.token,
          bot_user_id: bot.botUserId,
          team: { id: team.id, name: team.name },
          enterprise: null,
          is_enterprise_install: false,
        },
      };
    },

    'conversations.list': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const types = (str(p.types) ?? 'public_channel').split(',');
      const excludeArchived = bool(p.exclude_archived) ?? false;
      // Simplification: one page, no cursor.
      const list = [...channels.values()].filter(
        (ch) =>
          ch.teamId === bot.teamId &&
          !ch.deleted &&
          (ch.isPrivate
            ? types.includes('private_channel') && ch.members.has(bot.botUserId)
            : types.includes('public_channel')) &&
          !(excludeArchived && ch.isArchived),
      );
      return {
        body: {
          ok: true,
          channels: list.map((ch) => channelObject(ch, bot.botUserId)),
          response_metadata: { next_cursor: '' },
        },
      };
    },

    'conversations.info': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const ch = visibleChannel(bot, p.channel);
      if (isAnswer(ch)) return ch;
      return { body: { ok: true, channel: channelObject(ch, bot.botUserId) } };
    },

    'conversations.join': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const ch = visibleChannel(bot, p.channel);
      if (isAnswer(ch)) return ch;
      if (ch.isArchived) return fail('is_archived');
      if (ch.isPrivate && !ch.members.has(bot.botUserId)) return fail('method_not_supported_for_channel_type');
      const already = ch.members.has(bot.botUserId);
      ch.members.add(bot.botUserId);
      return {
        body: {
          ok: true,
          channel: channelObject(ch, bot.botUserId),
          ...(already
            ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } }
            : {}),
        },
      };
    },

    'users.info': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const u = users.get(str(p.user) ?? '');
      if (!u || u.teamId !== bot.teamId) return fail('user_not_found');
      return {
        body: {
          ok: true,
          user: {
            id: u.id,
            team_id: u.teamId,
            name: u.name,
            deleted: false,
            real_name: u.realName,
            is_bot: u.isBot,
            is_admin: false,
            tz: 'Europe/Paris',
            profile: {
              display_name: u.displayName,
              display_name_normalized: u.displayName,
              real_name: u.realName,
              real_name_normalized: u.realName,
              team: u.teamId,
              ...(u.botId ? { bot_id: u.botId } : {}),
            },
          },
        },
      };
    },

    // The channel's top-level messages, NEWEST first (as Slack pages history), within oldest/latest (exclusive
    // unless `inclusive`), `limit` per page with a cursor; metadata only with include_all_metadata.
    'conversations.history': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const ch = visibleChannel(bot, p.channel);
      if (isAnswer(ch)) return ch;
      const within = timeWindow(p);
      return messagePage(
        messages.filter((m) => m.channel === ch.id && m.threadTs === undefined && !m.deleted && within(m)).reverse(),
        p,
        100,
      );
    },

    // The parent and its replies, oldest first, within oldest/latest (exclusive unless `inclusive`), `limit` per page
    // with a cursor; metadata only with include_all_metadata. Needs channels:history (the fake does not model scopes).
    'conversations.replies': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const ch = visibleChannel(bot, p.channel);
      if (isAnswer(ch)) return ch;
      const ts = str(p.ts);
      if (!ts) return fail('invalid_arguments');
      const parent = messages.find((m) => m.channel === ch.id && m.ts === ts && !m.deleted);
      if (!parent) return fail('thread_not_found');
      const within = timeWindow(p);
      return messagePage(
        [parent, ...messages.filter((m) => m.channel === ch.id && m.threadTs === parent.ts && !m.deleted)].filter(
          within,
        ),
        p,
        1000,
      );
    },

    'chat.postMessage': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const ch = visibleChannel(bot, p.channel);
      if (isAnswer(ch)) return ch;
      if (ch.isArchived) return fail('is_archived');
      // The app asks for chat:write only (not chat:write.public), so it must be a member to post.
      if (!ch.members.has(bot.botUserId)) return fail('not_in_channel');
      const text = str(p.text) ?? '';
      let blocks: unknown;
      if (p.blocks !== undefined) {
        try {
          blocks = typeof p.blocks === 'string' ? JSON.parse(p.blocks) : p.blocks;
        } catch {
          return fail('invalid_blocks_format');
        }
        if (
          !Array.isArray(blocks) ||
          blocks.length > BLOCKS_MAX ||
          blocks.some((b) => typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string')
        )
          return fail('invalid_blocks');
      }
      if (!text && blocks === undefined) return fail('no_text');
      if (text.length > TEXT_MAX) return fail('msg_too_long');
      const threadTs = str(p.thread_ts);
      if (threadTs !== undefined) {
        const parent = messages.find((m) => m.channel === ch.id && m.ts === threadTs);
        // Simplification: Slack's answer for a reply to a deleted parent is not documented; the fake says
        // thread_not_found, which the bridge treats as "open a new parent".
        if (!parent || parent.deleted) return fail('thread_not_found');
        if (parent.threadTs !== undefined) return fail('thread_not_found');
      }
      const metadata = readMetadata(p.metadata);
      if (isAnswer(metadata)) return metadata;
      const options: Record<string, unknown> = {};
      for (const k of ['unfurl_links', 'unfurl_media', 'link_names', 'parse', 'mrkdwn', 'reply_broadcast'])
        if (p[k] !== undefined) options[k] = p[k];
      const m: TFakeSlackMessage = {
        ts: nextTs(),
        channel: ch.id,
        ...(threadTs !== undefined ? { threadTs } : {}),
        user: bot.botUserId,
        botId: bot.botId,
        text,
        ...(blocks !== undefined ? { blocks } : {}),
        ...(metadata ? { metadata } : {}),
        deleted: false,
        edited: false,
        options,
      };
      messages.push(m);
      if (opts.echoBotMessages) void deliver(ch.teamId, messageEvent(m, ch));
      return { body: { ok: true, channel: ch.id, ts: m.ts, message: messageObject(m) } };
    },

    'chat.update': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const ch = visibleChannel(bot, p.channel);
      if (isAnswer(ch)) return ch;
      const m = messages.find((x) => x.channel === ch.id && x.ts === str(p.ts));
      if (!m || m.deleted) return fail('message_not_found');
      if (m.user !== bot.botUserId) return fail('cant_update_message');
      const text = str(p.text);
      if (text !== undefined) {
        if (text.length > TEXT_MAX) return fail('msg_too_long');
        m.text = text;
      }
      if (p.blocks !== undefined)
        m.blocks = typeof p.blocks === 'string' ? (JSON.parse(p.blocks) as unknown) : p.blocks;
      // chat.update takes message metadata like chat.postMessage (it replaces the message's metadata).
      const metadata = readMetadata(p.metadata);
      if (isAnswer(metadata)) return metadata;
      if (metadata) m.metadata = metadata;
      m.edited = true;
      return { body: { ok: true, channel: ch.id, ts: m.ts, text: m.text, message: messageObject(m) } };
    },

    'chat.delete': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const ch = visibleChannel(bot, p.channel);
      if (isAnswer(ch)) return ch;
      const m = messages.find((x) => x.channel === ch.id && x.ts === str(p.ts));
      if (!m || m.deleted) return fail('message_not_found');
      if (m.user !== bot.botUserId) return fail('cant_delete_message');
      m.deleted = true;
      return { body: { ok: true, channel: ch.id, ts: m.ts } };
    },

    'files.getUploadURLExternal': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const filename = str(p.filename);
      const length = Number(str(p.length));
      if (!filename)
        return fail('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] missing required field: filename'] },
        });
      if (!Number.isInteger(length) || length < 1)
        return fail('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] missing required field: length'] },
        });
      if (length > FILE_MAX) return fail('file_too_large');
      const fileId = upperId('F');
      const uploadId = randomBytes(12).toString('hex');
      uploads.set(uploadId, { fileId, teamId: bot.teamId, user: bot.botUserId, filename, length, received: false });
      return { body: { ok: true, upload_url: `http://127.0.0.1:${port}/upload/v1/${uploadId}`, file_id: fileId } };
    },

    'files.completeUploadExternal': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      let list: unknown = p.files;
      if (typeof list === 'string') {
        try {
          list = JSON.parse(list);
        } catch {
          return fail('invalid_arguments');
        }
      }
      if (
        !Array.isArray(list) ||
        list.length === 0 ||
        list.some((f) => typeof (f as { id?: unknown })?.id !== 'string')
      )
        return fail('invalid_arguments');
      const wanted = (list as { id: string; title?: string }[]).map((f) => ({
        entry: [...uploads.entries()].find(([, u]) => u.fileId === f.id),
        title: f.title,
      }));
      // A file id that was never issued or whose bytes never arrived cannot be completed.
      if (wanted.some((w) => !w.entry || !w.entry[1].received || w.entry[1].teamId !== bot.teamId))
        return fail('file_not_found');
      const channelId = str(p.channel_id);
      const threadTs = str(p.thread_ts);
      const comment = str(p.initial_comment);
      let ch: TChannel | undefined;
      if (channelId !== undefined) {
        const visible = visibleChannel(bot, channelId);
        if (isAnswer(visible)) return visible;
        if (visible.isArchived) return fail('is_archived');
        if (!visible.members.has(bot.botUserId)) return fail('not_in_channel');
        if (threadTs !== undefined) {
          const parent = messages.find((m) => m.channel === visible.id && m.ts === threadTs);
          // Simplification (as chat.postMessage): a vanished parent answers thread_not_found.
          if (!parent || parent.deleted || parent.threadTs !== undefined) return fail('thread_not_found');
        }
        ch = visible;
      } else if (threadTs !== undefined) {
        return fail('invalid_arguments');
      }
      const done: TFakeSlackFile[] = [];
      for (const w of wanted) {
        const [uploadId, u] = w.entry!;
        const f = files.get(u.fileId)!;
        if (w.title) f.title = w.title;
        if (ch) {
          f.channel = ch.id;
          if (threadTs !== undefined) f.threadTs = threadTs;
          if (comment !== undefined) f.initialComment = comment;
        }
        uploads.delete(uploadId);
        done.push(f);
      }
      if (ch) {
        // The share is a bot message in the channel/thread carrying the files (and the comment as its text).
        const m: TFakeSlackMessage = {
          ts: nextTs(),
          channel: ch.id,
          ...(threadTs !== undefined ? { threadTs } : {}),
          user: bot.botUserId,
          botId: bot.botId,
          text: comment ?? '',
          deleted: false,
          edited: false,
          options: {},
          files: done.map((f) => f.id),
        };
        messages.push(m);
      }
      return { body: { ok: true, files: done.map((f) => ({ id: f.id, title: f.title })) } };
    },

    // files.info: the file object with `shares` — per channel, the messages that share it (ts, and thread_ts for a
    // share inside a thread), under `public` or `private` after the channel's kind. An uploaded file never
    // completed has no shares.
    'files.info': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const f = files.get(str(p.file) ?? '');
      if (!f || f.teamId !== bot.teamId) return fail('file_not_found');
      if (f.deleted) return fail('file_deleted');
      const shares: { public?: Record<string, unknown[]>; private?: Record<string, unknown[]> } = {};
      for (const m of messages) {
        if (m.deleted || !m.files?.includes(f.id)) continue;
        const ch = channels.get(m.channel);
        const kind = ch?.isPrivate ? 'private' : 'public';
        const entry = {
          reply_users: [],
          reply_users_count: 0,
          reply_count: 0,
          ts: m.ts,
          channel_name: ch?.name ?? '',
          team_id: f.teamId,
          share_user_id: m.user,
          ...(m.threadTs !== undefined ? { thread_ts: m.threadTs } : {}),
        };
        ((shares[kind] ??= {})[m.channel] ??= []).push(entry);
      }
      return {
        body: {
          ok: true,
          file: { ...fileObject(f), ...(Object.keys(shares).length > 0 ? { shares } : {}) },
          comments: [],
          response_metadata: { next_cursor: '' },
        },
      };
    },

    'files.delete': (p, token) => {
      const bot = botFor(token);
      if (isAnswer(bot)) return bot;
      const f = files.get(str(p.file) ?? '');
      if (!f || f.teamId !== bot.teamId) return fail('file_not_found');
      if (f.deleted) return fail('file_deleted');
      if (f.user !== bot.botUserId) return fail('cant_delete_file');
      f.deleted = true;
      for (const m of messages)
        if (m.files?.includes(f.id) && m.files.every((id) => files.get(id)?.deleted)) m.deleted = true;
      return { body: { ok: true } };
    },

    'apps.connections.open': (_p, token) => {
      if (!token) return fail('not_authed');
      if (!token.startsWith('xapp-')) return fail('not_allowed_token_type');
      if (!appTokens.has(token)) return fail('invalid_auth');
      const ticket = randomBytes(16).toString('hex');
      tickets.add(ticket);
      return { body: { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${appId}` } };
    },
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL, method: string) => {
    const raw = await readBody(req);
    const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (raw) {
      if (type === 'application/json') {
        try {
          Object.assign(params, JSON.parse(raw) as Record<string, unknown>);
        } catch {
          return send(res, 200, { ok: false, error: 'invalid_json' });
        }
      } else {
        Object.assign(params, Object.fromEntries(new URLSearchParams(raw)));
      }
    }
    const authz = req.headers.authorization ?? '';
    let token = authz.startsWith('Bearer ') ? authz.slice(7) : '';
    // JSON bodies must carry the token in the header (as on Slack); form bodies may carry it as a field.
    if (!token && type !== 'application/json' && typeof params.token === 'string') token = params.token;
    const basic = authz.startsWith('Basic ') ? Buffer.from(authz.slice(6), 'base64').toString('utf8').split(':') : null;
    delete params.token;
    const call: TFakeSlackCall = { method, token, params, at: Date.now(), status: 200 };
    calls.push(call);

    const queue = failures.get(method);
    const failure = queue?.shift();
    if (queue && queue.length === 0) failures.delete(method);
    if (failure) {
      if (failure.status === 429 || (failure.status === undefined && failure.retryAfter !== undefined)) {
        call.status = 429;
        call.error = 'ratelimited';
        res.setHeader('retry-after', String(failure.retryAfter ?? 1));
        return send(res, 429, { ok: false, error: 'ratelimited' });
      }
      if (failure.status !== undefined && failure.status !== 200) {
        call.status = failure.status;
        return send(res, failure.status, { ok: false, error: 'fatal_error' });
      }
      call.error = failure.error ?? 'internal_error';
      return send(res, 200, { ok: false, error: call.error });
    }

    const fn = methods[method];
    if (!fn) {
      call.error = 'unknown_method';
      return send(res, 200, { ok: false, error: 'unknown_method' });
    }
    const answer = fn(params, token, {
      ...(basic && basic.length === 2 ? { basic: { id: basic[0]!, secret: basic[1]! } } : {}),
    });
    if (answer.body.ok === false) call.error = String(answer.body.error);
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    call.status = answer.status ?? 200;
    return send(res, call.status, answer.body, answer.headers);
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  /** The consent screen: approves at once for the first team (or ?team=T…) and redirects back with code + state. */
  const handleAuthorize = (res: ServerResponse, url: URL) => {
    const redirectUri = url.searchParams.get('redirect_uri');
    if (url.searchParams.get('client_id') !== clientId || !redirectUri) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('invalid_client_id or missing redirect_uri');
      return;
    }
    const teamId = url.searchParams.get('team') ?? [...teams.keys()][0];
    if (!teamId || !teams.has(teamId)) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('no workspace to install into');
      return;
    }
    const code = api.issueOAuthCode({ teamId, redirectUri, scope: url.searchParams.get('scope') ?? SCOPES });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = url.searchParams.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() });
    res.end();
  };

  /** The upload_url step: the raw bytes (or a multipart form with one file), exactly `length` of them. */
  const handleUpload = async (req: IncomingMessage, res: ServerResponse, uploadId: string) => {
    const u = uploads.get(uploadId);
    if (!u) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('upload not found');
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    let data: Buffer;
    let mimetype = 'application/octet-stream';
    if (type === 'multipart/form-data') {
      const got = await new Promise<{ data: Buffer; mimetype: string } | null>((resolve, reject) => {
        const bb = busboy({ headers: req.headers, limits: { fileSize: FILE_MAX, files: 1 } });
        let found: { data: Buffer; mimetype: string } | null = null;
        bb.on('file', (_field, stream, info) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => (found = { data: Buffer.concat(chunks), mimetype: info.mimeType }));
        });
        bb.on('close', () => resolve(found));
        bb.on('error', reject);
        req.pipe(bb);
      });
      if (!got) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('no file in the form');
        return;
      }
      data = got.data;
      mimetype = got.mimetype;
    } else {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > FILE_MAX) {
          res.writeHead(413, { 'content-type': 'text/plain' }).end('too large');
          req.destroy();
          return;
        }
        chunks.push(c);
      }
      data = Buffer.concat(chunks);
      if (type && type !== 'application/octet-stream') mimetype = type;
    }
    // Slack refuses the completion of an upload whose size differs from the announced length.
    if (data.length !== u.length) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`expected ${u.length} bytes, got ${data.length}`);
      return;
    }
    u.received = true;
    files.set(u.fileId, {
      id: u.fileId,
      teamId: u.teamId,
      name: u.filename,
      title: u.filename,
      mimetype: mimeFromName(u.filename) ?? mimetype,
      data,
      user: u.user,
      deleted: false,
    });
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${data.length}`);
  };

  /** url_private: only with a valid bot token of the file's team, as files.slack.com does. */
  const handleDownload = (req: IncomingMessage, res: ServerResponse, teamId: string, fileId: string) => {
    const authz = req.headers.authorization ?? '';
    const bot = bots.get(authz.startsWith('Bearer ') ? authz.slice(7) : '');
    const f = files.get(fileId);
    if (!bot || bot.revoked || bot.teamId !== teamId) {
      // Slack answers its sign-in page rather than an error status.
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!DOCTYPE html><html><body>Sign in to Slack</body></html>');
      return;
    }
    if (!f || f.deleted || f.teamId !== teamId) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('file not found');
      return;
    }
    res.writeHead(200, { 'content-type': f.mimetype, 'content-length': String(f.data.length) }).end(f.data);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    if (m && (req.method === 'POST' || req.method === 'GET')) {
      handleApi(req, res, url, m[1]!).catch((err: unknown) => {
        if (!res.headersSent)
          send(res, 500, { ok: false, error: 'fatal_error', detail: err instanceof Error ? err.message : String(err) });
      });
      return;
    }
    if (url.pathname === '/oauth/v2/authorize' && req.method === 'GET') return handleAuthorize(res, url);
    const upload = /^\/upload\/v1\/([a-f0-9]+)$/.exec(url.pathname);
    if (upload && req.method === 'POST') {
      handleUpload(req, res, upload[1]!).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(err instanceof Error ? err.message : String(err));
      });
      return;
    }
    const download = /^\/files-pri\/([A-Z0-9]+)-(F[A-Z0-9]+)\/[^/]+$/.exec(url.pathname);
    if (download && req.method === 'GET') return handleDownload(req, res, download[1]!, download[2]!);
    if (url.pathname === '/health') return send(res, 200, { ok: true });
    send(res, 404, { ok: false, error: 'not_found' });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket: Socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const ping = setInterval(() => ws.ping(Buffer.from(String(Date.now()))), SOCKET_PING_MS);
      ws.on('close', () => {
        clearInterval(ping);
        sockets.delete(ws);
      });
      ws.on('message', (data: Buffer) => {
        try {
          const msg = JSON.parse(data.toString('utf8')) as { envelope_id?: unknown };
          if (typeof msg.envelope_id === 'string') pendingAcks.get(msg.envelope_id)?.();
        } catch {
          // Slack ignores what it cannot parse; so does the fake.
        }
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: sockets.size,
          debug_info: { host: 'fake-slack', build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: appId },
        }),
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;

  const findMessage = (channel: string, ts: string) => {
    const m = messages.find((x) => x.channel === channel && x.ts === ts);
    if (!m) throw new Error(`fake slack: no message ${ts} in ${channel}`);
    return m;
  };
  const channelOrThrow = (id: string) => {
    const ch = channels.get(id);
    if (!ch) throw new Error(`fake slack: no channel ${id}`);
    return ch;
  };

  const api: TFakeSlack = {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    authorizeUrl: `http://127.0.0.1:${port}/oauth/v2/authorize`,
    port,
    signingSecret,
    clientId,
    clientSecret,
    appId,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    setEventsUrl(url) {
      eventsUrl = url;
    },
    addTeam(o = {}) {
      const id = o.id ?? upperId('T', 9);
      const name = o.name ?? `Team ${id}`;
      teams.set(id, { id, name, domain: name.toLowerCase().replace(/[^a-z0-9]+/g, '-') });
      return { id, name };
    },
    addBot(o) {
      if (!teams.has(o.teamId)) throw new Error(`fake slack: no team ${o.teamId}`);
      const token =
        o.token ??
        `xoxb-${Math.floor(Math.random() * 1e12)}-${Math.floor(Math.random() * 1e12)}-${randomBytes(12)
          .toString('base64url')
          .replace(/[^A-Za-z0-9]/g, 'x')}`;
      const bot: TBot = {
        token,
        teamId: o.teamId,
        botUserId: upperId('U'),
        botId: upperId('B'),
        name: o.name ?? 'pocketping',
        revoked: false,
        scope: SCOPES,
      };
      bots.set(token, bot);
      users.set(bot.botUserId, {
        id: bot.botUserId,
        teamId: o.teamId,
        name: bot.name,
        displayName: bot.name,
        realName: 'PocketPing',
        isBot: true,
        botId: bot.botId,
      });
      return { token, botUserId: bot.botUserId, botId: bot.botId };
    },
    addUser(o) {
      const id = upperId('U');
      users.set(id, {
        id,
        teamId: o.teamId,
        name: o.name,
        displayName: o.displayName ?? o.name,
        realName: o.realName ?? o.name,
        isBot: false,
      });
      return { id };
    },
    addChannel(o) {
      const id = o.id ?? upperId(o.isPrivate ? 'G' : 'C');
      channels.set(id, {
        id,
        teamId: o.teamId,
        name: o.name,
        isPrivate: o.isPrivate ?? false,
        isArchived: o.isArchived ?? false,
        deleted: false,
        members: new Set(o.members ?? []),
        created: Math.floor(Date.now() / 1000),
      });
      return { id };
    },
    archiveChannel(id) {
      channelOrThrow(id).isArchived = true;
    },
    deleteChannel(id) {
      channelOrThrow(id).deleted = true;
    },
    removeFromChannel(id, userId) {
      channelOrThrow(id).members.delete(userId);
    },
    enableSocketMode(appToken) {
      const t = appToken ?? `xapp-1-${appId}-${Date.now()}-${randomBytes(16).toString('hex')}`;
      appTokens.add(t);
      return t;
    },
    socketConnections: () => sockets.size,
    issueOAuthCode(o) {
      const code = `${Date.now()}.${randomBytes(12).toString('hex')}`;
      codes.set(code, {
        code,
        teamId: o.teamId,
        ...(o.redirectUri !== undefined ? { redirectUri: o.redirectUri } : {}),
        scope: o.scope ?? SCOPES,
        used: false,
      });
      return code;
    },
    revokeToken(token) {
      const bot = bots.get(token);
      if (bot) bot.revoked = true;
    },
    restoreToken(token) {
      const bot = bots.get(token);
      if (bot) bot.revoked = false;
    },
    failNext(method, failure, times = 1) {
      const q = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) q.push(failure);
      failures.set(method, q);
    },
    messages(channel, threadTs) {
      return messages.filter(
        (m) =>
          m.channel === channel &&
          (threadTs === undefined || m.threadTs === threadTs || (m.ts === threadTs && m.threadTs === undefined)),
      );
    },
    async operatorWrites(o) {
      const ch = channelOrThrow(o.channel);
      const shared = (o.files ?? []).map((f) => {
        const file: TFakeSlackFile = {
          id: upperId('F'),
          teamId: ch.teamId,
          name: f.name,
          title: f.name,
          mimetype: f.mimetype,
          data: Buffer.from(f.data),
          user: o.user,
          channel: ch.id,
          threadTs: o.thread_ts,
          deleted: false,
        };
        files.set(file.id, file);
        return file.id;
      });
      const m: TFakeSlackMessage = {
        ts: nextTs(),
        channel: ch.id,
        threadTs: o.thread_ts,
        user: o.user,
        text: o.text,
        deleted: false,
        edited: false,
        options: {},
        ...(shared.length > 0 ? { files: shared } : {}),
      };
      messages.push(m);
      const event = messageEvent(m, ch);
      const eventId = o.eventId ?? upperId('Ev', 10);
      const deliveries = [await deliver(ch.teamId, event, { eventId })];
      for (let i = 1; i <= (o.retries ?? 0); i++)
        deliveries.push(await deliver(ch.teamId, event, { eventId, retryNum: i }));
      return { ts: m.ts, eventId, deliveries };
    },
    async edit(o) {
      const ch = channelOrThrow(o.channel);
      const m = findMessage(o.channel, o.ts);
      const previous = messageObject(m);
      m.text = o.text;
      m.edited = true;
      const ts = nextTs();
      return deliver(ch.teamId, {
        type: 'message',
        subtype: 'message_changed',
        hidden: true,
        message: { ...messageObject(m), edited: { user: m.user, ts } },
        channel: ch.id,
        previous_message: previous,
        event_ts: ts,
        ts,
        channel_type: ch.isPrivate ? 'group' : 'channel',
      });
    },
    async delete(o) {
      const ch = channelOrThrow(o.channel);
      const m = findMessage(o.channel, o.ts);
      const previous = messageObject(m);
      m.deleted = true;
      const ts = nextTs();
      return deliver(ch.teamId, {
        type: 'message',
        subtype: 'message_deleted',
        hidden: true,
        deleted_ts: m.ts,
        channel: ch.id,
        previous_message: previous,
        event_ts: ts,
        ts,
        channel_type: ch.isPrivate ? 'group' : 'channel',
      });
    },
    deliverEvent: (teamId, event, o = {}) => deliver(teamId, event, o),
    files: () => [...files.values()],
    async uninstallApp(teamId) {
      const teamBots = [...bots.values()].filter((b) => b.teamId === teamId);
      for (const b of teamBots) b.revoked = true;
      const eventTs = () => String(Date.now() / 1000);
      return [
        await deliver(teamId, {
          type: 'tokens_revoked',
          tokens: { oauth: [], bot: teamBots.map((b) => b.botUserId) },
          event_ts: eventTs(),
        }),
        await deliver(teamId, { type: 'app_uninstalled', event_ts: eventTs() }),
      ];
    },
    reset() {
      calls.length = 0;
      messages.length = 0;
      files.clear();
      uploads.clear();
      failures.clear();
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return api;
}
