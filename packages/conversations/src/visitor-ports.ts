import type { TSql } from '@pocketping/db';
import { createConversationPorts, type TConversationPorts, type TConversationPortsDeps } from './ports.js';

/** A new message of a visitor, as stored (what a follow-up such as the AI fallback needs to find it). */
export interface TVisitorMessagePosted {
  organizationId: string;
  projectId: string;
  conversationId: string;
  messageId: string;
  seq: number;
}

/** The visitor-side actions also write over the plain node-postgres pool (the widget's hot send path). */
export interface TVisitorPorts extends TConversationPorts {
  sql: TSql;
  /**
   * Called once per new visitor message (never for a duplicate or a note), after commit and without delaying the
   * ack: the place for what must follow a visitor's words, such as scheduling the AI fallback. A failure is logged;
   * the message stays stored.
   */
  visitorMessagePosted?(event: TVisitorMessagePosted): Promise<void> | void;
}

export function createVisitorPorts(
  deps: TConversationPortsDeps & { sql: TSql; visitorMessagePosted?: TVisitorPorts['visitorMessagePosted'] },
): TVisitorPorts {
  return {
    ...createConversationPorts(deps),
    sql: deps.sql,
    ...(deps.visitorMessagePosted ? { visitorMessagePosted: deps.visitorMessagePosted } : {}),
  };
}

/**
 * Who acts on the visitor side, as the transport's tenant wrapper resolved it (realtime: the socket's handshake), and
 * the visitor's open conversation it remembers. The actions keep `openConversationId` up to date (set on first
 * use, cleared when it was closed meanwhile), so a session object that lives as long as the connection — the socket's
 * `data` — saves the lookup on every later send.
 */
export interface TVisitorSession {
  readonly organizationId: string;
  readonly projectId: string;
  readonly visitorId: string;
  openConversationId: string | null;
}
