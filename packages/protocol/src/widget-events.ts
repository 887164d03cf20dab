import { z } from 'zod';
import { ZClientId, ZMessageBodyOrEmpty } from './message.js';
import { ZPreChatConfig } from './pre-chat-config.js';
import { optionalOrDropped, ZPageVisits, ZVisitorTimeZone, type TPageVisit } from './visitor-context.js';
import type { TAttachmentRef, TMessage } from './message.js';
import type { TAck, TAckError } from './errors.js';

/** Socket.IO namespace of the widget. */
export const WIDGET_NAMESPACE = '/widget';

/** Handshake `auth` payload. */
export const ZWidgetAuth = z.object({
  projectKey: z.string().min(8).max(100),
  visitorToken: z.string().min(16).max(200).optional(),
  /** The page the widget runs on, for the operator's visitor card. */
  pageUrl: z.string().max(2000).optional(),
  referrer: z.string().max(2000).optional(),
  /** The browser's IANA time zone, for the visitor's local time in the inbox; an unknown zone is dropped. */
  timeZone: optionalOrDropped(ZVisitorTimeZone),
  /** The pages seen in this browser session (the widget's session storage) and the browser's clock (ZWidgetPages). */
  pages: optionalOrDropped(ZPageVisits),
  now: optionalOrDropped(z.number().int().positive()),
});
/** What the widget sends (the parsed form, `z.infer`, has the dropped fields undefined). */
export type TWidgetAuth = Omit<z.input<typeof ZWidgetAuth>, 'timeZone' | 'pages' | 'now'> & {
  timeZone?: string;
  pages?: TPageVisit[];
  now?: number;
};

/** Public appearance settings the widget receives at connect time. */
export const ZWidgetSettings = z.object({
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be # followed by six hexadecimal digits, for example #2563eb')
    .default('#2563eb'),
  position: z.enum(['right', 'left']).default('right'),
  greeting: z.string().max(500).default('Hi! How can we help?'),
  operatorName: z.string().max(80).default('Support'),
  language: z.enum(['auto', 'en', 'fr', 'de', 'es']).default('auto'),
  // The fields below are optional so `ZWidgetSettings.parse({})` stays the widget's built-in default; the server
  // always fills them from the project's settings (see project-settings.ts → toWidgetSettings).
  /** Pre-chat form: shown before the first message or after it. */
  preChat: ZPreChatConfig.optional(),
  /** Ask for a 1–5 rating when a conversation is closed. */
  csatEnabled: z.boolean().optional(),
  /** Operator avatar for the header (https URL), null for the initial-letter badge. */
  avatarUrl: z.string().max(2000).nullable().optional(),
  /** Expected reply time shown while nobody is online ("replies in about N minutes"). */
  replyTimeMinutes: z.number().int().positive().nullable().optional(),
  /** 'enforce': the visitor must identify() with a valid hash before anything else succeeds. */
  identityMode: z.enum(['off', 'optional', 'enforce']).optional(),
  /** Shown while nobody is online (the project's away message); null/absent: the widget's built-in text. */
  awayMessage: z.string().max(500).nullable().optional(),
  /** The organization's plan shows "Powered by PocketPing" under the composer (Free). */
  branding: z.boolean().optional(),
});
export type TWidgetSettings = z.infer<typeof ZWidgetSettings>;

/** server → widget, right after connect. `visitorToken` is only present when a new visitor was created. */
export interface TSessionEvent {
  visitorId: string;
  visitorToken?: string;
  conversationId: string | null;
  lastSeq: number;
  settings: TWidgetSettings;
  /** State of that conversation, so a reloaded widget shows the right receipts and prompts at once. */
  conversationStatus?: 'open' | 'closed';
  /** Everything up to this seq has been read by an operator. */
  operatorReadSeq?: number;
  /** Every visitor message up to this seq reached the team's chat apps (the `delivered` receipt, after a reload). */
  deliveredSeq?: number;
  /** The conversation is closed, CSAT is enabled and the visitor has not rated it yet. */
  csatRequested?: boolean;
  /** Whether the visitor has a verified identity (identify() with a valid hash). */
  identityVerified?: boolean;
  /**
   * The AI stepped back from this conversation and no person has replied yet: the widget shows "a team member will
   * answer here" as it did live (the `handoff` / `failed` end of `ai:stream`).
   */
  aiNotice?: 'handoff' | 'failed';
}

export const ZSendMessage = z
  .object({
    clientId: ZClientId,
    /** May be empty only when the message carries attachments. */
    body: ZMessageBodyOrEmpty,
    /** Files uploaded beforehand (see the realtime upload endpoint), attached to this message. */
    attachmentIds: z.array(z.string().min(1).max(64)).max(10).optional(),
  })
  .refine((m) => m.body.length > 0 || (m.attachmentIds?.length ?? 0) > 0, {
    message: 'message is empty',
    path: ['body'],
  });
export type TSendMessage = z.infer<typeof ZSendMessage>;

/** Headers of the upload endpoint, checked exactly like the socket handshake (plus the Origin header). */
export const UPLOAD_HEADERS = { projectKey: 'x-project-key', visitorToken: 'x-visitor-token' } as const;

/** GET /widget/boot?key=… (the loader, once per browser session): the launcher's look, before any chat is opened. */
export const WIDGET_BOOT_PATH = '/widget/boot';
export interface TWidgetBoot {
  ok: true;
  appearance: { color: string; position: 'right' | 'left'; language: 'auto' | 'en' | 'fr' | 'de' | 'es' };
}

export const ZHistoryRequest = z.object({
  afterSeq: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(100).default(100),
  /** Also the visitor's earlier conversations (read-only, above the current one): the ack's `previous`. */
  previous: z.boolean().default(false),
});
export type THistoryRequest = z.infer<typeof ZHistoryRequest>;

/** Event names: client → server events answer through an ack, server → client events carry data. */
export const WidgetEvents = {
  // server → widget
  session: 'session',
  message: 'message',
  /** operator typing: TTypingEvent */
  typing: 'typing',
  /** receipts: TReceiptEvent (delivered to the operator's apps / read by an operator) */
  receipt: 'receipt',
  /** conversation status changed (closed → CSAT prompt, reopened): TConversationEvent */
  conversation: 'conversation',
  /** operator presence for the header: TPresenceEvent */
  presence: 'presence',
  /** an AI answer as it is written, then how it ended: TAiStreamEvent */
  aiStream: 'ai:stream',
  // widget → server (all with an ack)
  send: 'message:send',
  history: 'history',
  typingUpdate: 'typing:update',
  read: 'read',
  identify: 'identify',
  event: 'event',
  preChat: 'prechat',
  csat: 'csat',
  transcript: 'transcript',
  /** the page changed without a full load (ZWidgetPages) */
  pages: 'pages',
} as const;

/** widget → server: the visitor is (not) typing. Debounced by the widget; the server clears it after 6 s. */
export const ZTypingUpdate = z.object({ isTyping: z.boolean() });

/** widget → server: the visitor has seen everything up to `seq`. */
export const ZReadUpdate = z.object({ seq: z.number().int().min(0) });

/** Entries a trait / event-data / pre-chat record may hold (the widget sends at most this many). */
export const RECORD_ENTRIES_MAX = 50;
const ZBoundedRecord = <V extends z.ZodType>(value: V) =>
  z
    .record(z.string().max(64), value)
    .refine((r) => Object.keys(r).length <= RECORD_ENTRIES_MAX, `at most ${RECORD_ENTRIES_MAX} entries`);
const ZScalar = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);

/**
 * widget → server: who the visitor is, from the customer's own login. Two ways to prove it, both keyed with the
 * project's identity secret: `token` = a JWT (HS256) whose claims carry `sub` (= id), `exp` and the shown fields it
 * vouches for (`email`, `name`, `traits`) — those are verified; or the older `hash` = hex HMAC-SHA256(id), which
 * verifies the id only (email, name and traits are then shown as unverified). In "enforce" mode an identity without
 * a valid proof is refused; a verified identity can only be replaced by another verified one.
 */
export const ZIdentify = z.object({
  id: z.string().min(1).max(200),
  email: z.string().email().max(320).optional(),
  name: z.string().min(1).max(120).optional(),
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/i)
    .optional(),
  token: z
    .string()
    .max(8192)
    .regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT: header.payload.signature')
    .optional(),
  traits: ZBoundedRecord(ZScalar).optional(),
});
export type TIdentify = z.infer<typeof ZIdentify>;

/** widget → server: PocketPing.trigger(name, data) — shown in the operator's thread, never to the visitor. */
export const ZCustomEvent = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\w.:-]+$/, 'event names are letters, digits, _ . : -'),
  data: ZBoundedRecord(ZScalar).optional(),
});

/** widget → server: pre-chat form answers. */
export const ZPreChat = z.object({
  email: z.string().email().max(320).optional(),
  name: z.string().min(1).max(120).optional(),
  fields: ZBoundedRecord(z.string().max(1000)).optional(),
});

/**
 * widget → server: "email me this conversation". `email` only when the visitor's is not known yet (the widget asks
 * for it); without one the server uses the visitor's, else answers `bad_request` naming `email`.
 */
export const ZTranscriptRequest = z.object({ email: z.string().email().max(320).optional() }).strict();

/** How many transcripts one visitor may ask for per hour (and one address, a few visitors' worth). */
export const TRANSCRIPT_LIMITS = { perVisitorPerHour: 3, perAddressPerHour: 10 } as const;

/** widget → server: satisfaction rating of a closed conversation. */
export const ZCsat = z.object({ score: z.number().int().min(1).max(5), comment: z.string().max(2000).optional() });

export interface TTypingEvent {
  sender: 'operator' | 'ai';
  authorName: string | null;
  isTyping: boolean;
}
export interface TReceiptEvent {
  conversationId: string;
  kind: 'delivered' | 'read';
  seq: number;
}
export interface TConversationEvent {
  conversationId: string;
  status: 'open' | 'closed';
  csatRequested: boolean;
}
/** A source an AI answer cites (a page or entry of the owner's knowledge). */
export interface TAiSource {
  title: string;
  url: string | null;
}
/**
 * An AI answer while the provider writes it (throttled), shown as one growing bubble with an "AI" badge. `state`:
 * `streaming` more text follows; `done` the stored message (sender `ai`) follows and replaces the bubble;
 * `cancelled` the bubble goes away (a human wrote, a retry starts over); `handoff` it goes away and the widget says a
 * team member will answer here; `failed` the provider could not answer: the widget says the team will answer here.
 */
export interface TAiStreamEvent {
  conversationId: string;
  streamId: string;
  authorName: string;
  text: string;
  sources: TAiSource[];
  state: 'streaming' | 'done' | 'cancelled' | 'handoff' | 'failed';
}
export interface TPresenceEvent {
  status: 'online' | 'away';
  replyTimeMinutes: number | null;
}

export type TSendAck = TAck<{ message: TMessage; duplicate: boolean }>;
export type TOkAck = TAck<Record<never, never>>;
/** `verified`: the user id; `verifiedFields`: the shown fields a signed token covered ('email', 'name', 'traits.<key>'). */
export type TIdentifyAck = TAck<{ verified: boolean; verifiedFields?: string[] }>;
/**
 * `throughSeq`: every seq ≤ throughSeq is accounted for by this page. Operator-only (internal) messages take a seq
 * but are never sent to the widget, so the page can skip seqs; the widget may treat everything up to throughSeq as
 * synced (it is absent from older servers).
 */
/** How much of the visitor's earlier conversations a history request with `previous` brings back. */
export const PREVIOUS_HISTORY = { conversations: 3, messages: 100 } as const;
/**
 * `previous`: with a `previous` request, the public messages of the visitor's last earlier conversations
 * (PREVIOUS_HISTORY), oldest first; the widget separates them by conversationId.
 */
export type THistoryAck = TAck<{ messages: TMessage[]; hasMore: boolean; throughSeq?: number; previous?: TMessage[] }>;

/** Answer of `POST /widget/uploads` (multipart, field `file`): the stored file, to send with `attachmentIds`. */
export type TUploadResponse = { ok: true; attachment: TAttachmentRef } | { ok: false; error: TAckError };
