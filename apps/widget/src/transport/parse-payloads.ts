// Shape checks for what the server sends. zod stays out of the browser bundle, yet a malformed payload must not
// break rendering, so each check is small and hand-written and drops what it does not recognise.
import type { TMessage, TSenderKind, TSessionEvent, TWidgetSettings } from '@pocketping/protocol';
import { sanitizeAppearance } from '../shared/appearance.js';
import { DEFAULT_SETTINGS } from './protocol.js';

const SENDERS: readonly TSenderKind[] = ['visitor', 'operator', 'ai', 'system'];
const LANGUAGES: readonly TWidgetSettings['language'][] = ['auto', 'en', 'fr', 'de', 'es'];

export type TTransportErrorCode = string;
export type TTransportResult<T> = ({ ok: true } & T) | { ok: false; error: { code: TTransportErrorCode; message: string } };

type TRecord = Record<string, unknown>;

const isRecord = (v: unknown): v is TRecord => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** A `message` event carries a TMessage; `{ message }` is accepted too. */
export function parseMessage(payload: unknown): TMessage | null {
  if (isRecord(payload) && isRecord(payload.message) && !('seq' in payload)) payload = payload.message;
  if (!isRecord(payload)) return null;
  const m = payload;
  if (
    typeof m.id !== 'string' || typeof m.conversationId !== 'string' || typeof m.seq !== 'number' ||
    !Number.isInteger(m.seq) || m.seq < 1 || !SENDERS.includes(m.sender as TSenderKind) || typeof m.body !== 'string' ||
    !isNullableString(m.clientId ?? null) || !isNullableString(m.authorName ?? null) || !isNullableString(m.editedAt ?? null) ||
    !isNullableString(m.deletedAt ?? null)
  ) {
    return null;
  }
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    clientId: (m.clientId as string | null | undefined) ?? null,
    sender: m.sender as TSenderKind,
    authorName: (m.authorName as string | null | undefined) ?? null,
    body: m.body,
    source: typeof m.source === 'string' ? m.source : '',
    createdAt: typeof m.createdAt === 'string' ? m.createdAt : '',
    editedAt: (m.editedAt as string | null | undefined) ?? null,
    deletedAt: (m.deletedAt as string | null | undefined) ?? null,
    attachments: [],
  };
}

export function parseSettings(payload: unknown): TWidgetSettings {
  const s = isRecord(payload) ? payload : {};
  const text = (v: unknown, max: number, fallback: string) => (typeof v === 'string' && v.length <= max ? v : fallback);
  return {
    ...sanitizeAppearance(s, DEFAULT_SETTINGS),
    greeting: text(s.greeting, 500, DEFAULT_SETTINGS.greeting),
    operatorName: text(s.operatorName, 80, DEFAULT_SETTINGS.operatorName),
    language: LANGUAGES.includes(s.language as TWidgetSettings['language']) ? (s.language as TWidgetSettings['language']) : DEFAULT_SETTINGS.language,
  };
}

export function parseSessionEvent(payload: unknown): TSessionEvent | null {
  if (!isRecord(payload) || typeof payload.visitorId !== 'string') return null;
  const conversationId = typeof payload.conversationId === 'string' && payload.conversationId !== '' ? payload.conversationId : null;
  const lastSeq = typeof payload.lastSeq === 'number' && Number.isFinite(payload.lastSeq) ? payload.lastSeq : 0;
  const session: TSessionEvent = { visitorId: payload.visitorId, conversationId, lastSeq, settings: parseSettings(payload.settings) };
  if (typeof payload.visitorToken === 'string' && payload.visitorToken !== '') session.visitorToken = payload.visitorToken;
  return session;
}

/** Turns an ack (TAck<T>) into a result; `pick` extracts and checks the success fields. */
export function parseAck<T>(raw: unknown, pick: (ack: TRecord) => T | null): TTransportResult<T> {
  if (isRecord(raw) && raw.ok === true) {
    const value = pick(raw);
    if (value !== null) return { ok: true, ...value };
  }
  if (isRecord(raw) && raw.ok === false) {
    const error = isRecord(raw.error) ? raw.error : {};
    return {
      ok: false,
      error: {
        code: typeof error.code === 'string' ? error.code : 'internal',
        message: typeof error.message === 'string' && error.message !== '' ? error.message : 'The server refused the request',
      },
    };
  }
  return { ok: false, error: { code: 'bad_response', message: 'Unexpected answer from the server' } };
}

export function pickSendAck(ack: TRecord): { message: TMessage; duplicate: boolean } | null {
  const message = parseMessage(ack.message);
  return message ? { message, duplicate: ack.duplicate === true } : null;
}

export function pickHistoryAck(ack: TRecord): { messages: TMessage[]; hasMore: boolean } | null {
  if (!Array.isArray(ack.messages)) return null;
  const messages: TMessage[] = [];
  for (const raw of ack.messages) {
    const m = parseMessage(raw);
    if (m) messages.push(m);
  }
  return { messages, hasMore: ack.hasMore === true };
}
