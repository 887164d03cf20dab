// Shape checks for what the server sends. zod stays out of the browser bundle (see protocol.ts), yet a malformed
// payload must not break rendering: each check is small and hand-written, and drops what it does not recognise.
// Written compactly on purpose: this is part of the size-budgeted app.js.
import type {
  TAiSource,
  TAiStreamEvent,
  TAttachmentRef,
  TConversationEvent,
  TMessage,
  TPreChatConfig,
  TPresenceEvent,
  TReceiptEvent,
  TSenderKind,
  TSessionEvent,
  TTypingEvent,
  TWidgetSettings,
} from '@pocketping/protocol';
import { sanitizeAppearance } from '../shared/appearance.js';
import { DEFAULT_SETTINGS } from './protocol.js';

export type TTransportErrorCode = string;
export type TTransportResult<T> =
  ({ ok: true } & T) | { ok: false; error: { code: TTransportErrorCode; message: string } };

type TRecord = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- every field is checked before use

const isRecord = (v: unknown): v is TRecord => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
/** A non-negative integer (seq, size, watermark). */
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
/** `v` when it is one of `options`, else undefined. */
const oneOf = <T extends string>(v: unknown, options: readonly T[]): T | undefined =>
  options.includes(v as T) ? (v as T) : undefined;
/** string | null, with undefined (absent) read as null; `false` when it is anything else. */
const nullable = (v: unknown): string | null | false => (v == null ? null : isStr(v) ? v : false);

const SENDERS: readonly TSenderKind[] = ['visitor', 'operator', 'ai', 'system'];

/** A `message` event carries a TMessage; `{ message }` is accepted too. */
export function parseMessage(payload: unknown): TMessage | null {
  let m = payload;
  if (isRecord(m) && isRecord(m.message) && !('seq' in m)) m = m.message;
  if (!isRecord(m)) return null;
  const sender = oneOf(m.sender, SENDERS);
  const [clientId, authorName, editedAt, deletedAt] = [m.clientId, m.authorName, m.editedAt, m.deletedAt].map(nullable);
  if (
    !isStr(m.id) ||
    !isStr(m.conversationId) ||
    !isCount(m.seq) ||
    !m.seq ||
    !sender ||
    !isStr(m.body) ||
    clientId === false ||
    authorName === false ||
    editedAt === false ||
    deletedAt === false ||
    (m.attachments !== undefined && !Array.isArray(m.attachments))
  ) {
    return null;
  }
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    clientId: clientId ?? null,
    sender,
    authorName: authorName ?? null,
    body: m.body,
    source: isStr(m.source) ? m.source : '',
    createdAt: isStr(m.createdAt) ? m.createdAt : '',
    editedAt: editedAt ?? null,
    deletedAt: deletedAt ?? null,
    attachments: parseAttachments(m.attachments),
  };
}

/** Attachment refs: malformed entries are dropped one by one; a missing list is an empty one. */
export function parseAttachments(raw: unknown): TAttachmentRef[] {
  const out: TAttachmentRef[] = [];
  for (const a of Array.isArray(raw) ? raw.slice(0, 10) : []) {
    if (isRecord(a) && isStr(a.id) && isStr(a.name) && isStr(a.contentType) && isCount(a.size)) {
      out.push({
        id: a.id,
        name: a.name.slice(0, 200),
        contentType: a.contentType.slice(0, 100),
        size: a.size,
        url: isStr(a.url) ? a.url : null,
      });
    }
  }
  return out;
}

export function parseTyping(r: unknown): TTypingEvent | null {
  const sender = isRecord(r) && typeof r.isTyping === 'boolean' && oneOf(r.sender, ['operator', 'ai'] as const);
  return sender
    ? {
        sender,
        isTyping: (r as TRecord).isTyping,
        authorName: isStr((r as TRecord).authorName) ? (r as TRecord).authorName.slice(0, 120) : null,
      }
    : null;
}

const AI_STATES: readonly TAiStreamEvent['state'][] = ['streaming', 'done', 'cancelled', 'handoff', 'failed'];

/** Sources are links the widget renders: only http(s) URLs are kept, anything else shows as a title only. */
const safeUrl = (v: unknown): string | null => (isStr(v) && /^https?:\/\//i.test(v) ? v.slice(0, 2000) : null);

export function parseAiStream(r: unknown): TAiStreamEvent | null {
  const state = isRecord(r) && oneOf(r.state, AI_STATES);
  if (!state || !isStr(r.conversationId) || !isStr(r.streamId) || !isStr(r.text)) return null;
  const sources: TAiSource[] = [];
  for (const x of Array.isArray(r.sources) ? r.sources.slice(0, 10) : [])
    if (isRecord(x) && isStr(x.title)) sources.push({ title: x.title.slice(0, 200), url: safeUrl(x.url) });
  return {
    conversationId: r.conversationId,
    streamId: r.streamId,
    authorName: isStr(r.authorName) ? r.authorName.slice(0, 120) : '',
    text: r.text.slice(0, 8000),
    sources,
    state,
  };
}

export function parseReceipt(r: unknown): TReceiptEvent | null {
  const kind =
    isRecord(r) && isStr(r.conversationId) && isCount(r.seq) && oneOf(r.kind, ['delivered', 'read'] as const);
  return kind ? { conversationId: (r as TRecord).conversationId, kind, seq: (r as TRecord).seq } : null;
}

export function parseConversation(r: unknown): TConversationEvent | null {
  const status = isRecord(r) && isStr(r.conversationId) && oneOf(r.status, ['open', 'closed'] as const);
  return status
    ? { conversationId: (r as TRecord).conversationId, status, csatRequested: (r as TRecord).csatRequested === true }
    : null;
}

export function parsePresence(r: unknown): TPresenceEvent | null {
  const status = isRecord(r) && oneOf(r.status, ['online', 'away'] as const);
  return status
    ? {
        status,
        replyTimeMinutes: (isCount((r as TRecord).replyTimeMinutes) && (r as TRecord).replyTimeMinutes) || null,
      }
    : null;
}

/**
 * The pre-chat form as configured. The extra questions are checked one by one by the form itself (cleanFields in
 * pre-chat-form.tsx, part of extras.js): app.js only needs to know whether and when to show it.
 */
function parsePreChat(r: TRecord): TPreChatConfig {
  return {
    enabled: r.enabled === true,
    mode: r.mode === 'after' ? 'after' : 'before',
    emailRequired: r.emailRequired !== false,
    askName: r.askName !== false,
    fields: Array.isArray(r.fields) ? r.fields : [],
  };
}

export function parseSettings(payload: unknown): TWidgetSettings {
  const s = isRecord(payload) ? payload : {};
  const text = (v: unknown, max: number, fallback: string) => (isStr(v) && v.length <= max ? v : fallback);
  const settings: TWidgetSettings = {
    ...sanitizeAppearance(s, DEFAULT_SETTINGS),
    greeting: text(s.greeting, 500, DEFAULT_SETTINGS.greeting),
    operatorName: text(s.operatorName, 80, DEFAULT_SETTINGS.operatorName),
    language: oneOf(s.language, ['auto', 'en', 'fr', 'de', 'es'] as const) ?? 'auto',
  };
  if (isRecord(s.preChat)) settings.preChat = parsePreChat(s.preChat);
  if (typeof s.csatEnabled === 'boolean') settings.csatEnabled = s.csatEnabled;
  // Only an absolute http(s) URL may become an <img src>.
  if (isStr(s.avatarUrl) && s.avatarUrl.length <= 2000 && /^https?:\/\//i.test(s.avatarUrl))
    settings.avatarUrl = s.avatarUrl;
  if (isCount(s.replyTimeMinutes) && s.replyTimeMinutes) settings.replyTimeMinutes = s.replyTimeMinutes;
  const identityMode = oneOf(s.identityMode, ['off', 'optional', 'enforce'] as const);
  if (identityMode) settings.identityMode = identityMode;
  // The owner's away message: plain text (the UI renders it as a text node), dropped when not a short string.
  if (isStr(s.awayMessage) && s.awayMessage.trim() && s.awayMessage.length <= 500) settings.awayMessage = s.awayMessage;
  if (s.branding === true) settings.branding = true;
  return settings;
}

export function parseSessionEvent(p: unknown): TSessionEvent | null {
  if (!isRecord(p) || !isStr(p.visitorId)) return null;
  const session: TSessionEvent = {
    visitorId: p.visitorId,
    conversationId: isStr(p.conversationId) && p.conversationId ? p.conversationId : null,
    lastSeq: isCount(p.lastSeq) ? p.lastSeq : 0,
    settings: parseSettings(p.settings),
  };
  if (isStr(p.visitorToken) && p.visitorToken) session.visitorToken = p.visitorToken;
  const status = oneOf(p.conversationStatus, ['open', 'closed'] as const);
  if (status) session.conversationStatus = status;
  if (isCount(p.operatorReadSeq)) session.operatorReadSeq = p.operatorReadSeq;
  if (isCount(p.deliveredSeq)) session.deliveredSeq = p.deliveredSeq;
  if (typeof p.csatRequested === 'boolean') session.csatRequested = p.csatRequested;
  const aiNotice = oneOf(p.aiNotice, ['handoff', 'failed'] as const);
  if (aiNotice) session.aiNotice = aiNotice;
  return session;
}

/** Turns an ack (TAck<T>) into a result; `pick` extracts and checks the success fields. */
export function parseAck<T>(raw: unknown, pick: (ack: TRecord) => T | null): TTransportResult<T> {
  const value = isRecord(raw) && raw.ok === true ? pick(raw) : null;
  if (value) return { ok: true, ...value };
  if (!isRecord(raw) || raw.ok !== false)
    return { ok: false, error: { code: 'bad_response', message: 'Unexpected answer from the server' } };
  const error = isRecord(raw.error) ? raw.error : {};
  return {
    ok: false,
    error: {
      code: isStr(error.code) ? error.code : 'internal',
      message: isStr(error.message) && error.message ? error.message : 'The server refused the request',
    },
  };
}

export function pickSendAck(ack: TRecord): { message: TMessage; duplicate: boolean } | null {
  const message = parseMessage(ack.message);
  return message && { message, duplicate: ack.duplicate === true };
}

export function pickHistoryAck(
  ack: TRecord,
): { messages: TMessage[]; hasMore: boolean; throughSeq?: number; previous?: TMessage[] } | null {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(parseMessage).filter((m): m is TMessage => m !== null) : null);
  const messages = list(ack.messages);
  const previous = list(ack.previous);
  if (!messages) return null;
  return {
    messages,
    hasMore: ack.hasMore === true,
    ...(isCount(ack.throughSeq) ? { throughSeq: ack.throughSeq } : {}),
    ...(previous ? { previous } : {}),
  };
}

/** Acks that carry nothing but ok (typing, read, event, prechat, csat); identify adds `verified`. */
export function pickOkAck(ack: TRecord): { verified?: boolean } {
  return typeof ack.verified === 'boolean' ? { verified: ack.verified } : {};
}

/** The upload endpoint's JSON answer. */
export function pickUploadAck(ack: TRecord): { attachment: TAttachmentRef } | null {
  const attachment = parseAttachments([ack.attachment])[0];
  return attachment ? { attachment } : null;
}
