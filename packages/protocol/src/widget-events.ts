import { z } from 'zod';
import { ZClientId, ZMessageBody } from './message.js';
import type { TMessage } from './message.js';
import type { TAck } from './errors.js';

/** Socket.IO namespace of the widget. */
export const WIDGET_NAMESPACE = '/widget';

/** Handshake `auth` payload. */
export const ZWidgetAuth = z.object({
  projectKey: z.string().min(8).max(100),
  visitorToken: z.string().min(16).max(200).optional(),
  /** The page the widget runs on, for the operator's visitor card. */
  pageUrl: z.string().max(2000).optional(),
  referrer: z.string().max(2000).optional(),
});
export type TWidgetAuth = z.infer<typeof ZWidgetAuth>;

/** Public appearance settings the widget receives at connect time. */
export const ZWidgetSettings = z.object({
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/).default('#2563eb'),
  position: z.enum(['right', 'left']).default('right'),
  greeting: z.string().max(500).default('Hi! How can we help?'),
  operatorName: z.string().max(80).default('Support'),
  language: z.enum(['auto', 'en', 'fr', 'de', 'es']).default('auto'),
});
export type TWidgetSettings = z.infer<typeof ZWidgetSettings>;

/** server → widget, right after connect. `visitorToken` is only present when a new visitor was created. */
export interface TSessionEvent {
  visitorId: string;
  visitorToken?: string;
  conversationId: string | null;
  lastSeq: number;
  settings: TWidgetSettings;
}

export const ZSendMessage = z.object({ clientId: ZClientId, body: ZMessageBody });
export type TSendMessage = z.infer<typeof ZSendMessage>;

export const ZHistoryRequest = z.object({
  afterSeq: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(100).default(100),
});
export type THistoryRequest = z.infer<typeof ZHistoryRequest>;

/** Event names: client → server events answer through an ack, server → client events carry data. */
export const WidgetEvents = {
  session: 'session',
  message: 'message',
  send: 'message:send',
  history: 'history',
} as const;

export type TSendAck = TAck<{ message: TMessage; duplicate: boolean }>;
export type THistoryAck = TAck<{ messages: TMessage[]; hasMore: boolean }>;
