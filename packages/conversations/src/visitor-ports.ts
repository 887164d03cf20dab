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
  /**
   * Finds or creates the visitor's open conversation where the transport has more to decide than the database (the
   * plan's monthly quota: realtime). Without it the open conversation is found or created directly. A `quotaNote`
   * is stored first, as an internal note for the team.
   */
  startConversation?(scope: TConversationScope): Promise<TStartedConversation>;
}

export interface TConversationScope {
  organizationId: string;
  projectId: string;
  visitorId: string;
}

export interface TStartedConversation {
  id: string;
  /** Set when the conversation started beyond the plan: why it is not in the team's chat apps. */
  quotaNote: string | null;
}

export function createVisitorPorts(
  deps: TConversationPortsDeps & {
    sql: TSql;
    visitorMessagePosted?: TVisitorPorts['visitorMessagePosted'];
    startConversation?: TVisitorPorts['startConversation'];
  },
): TVisitorPorts {
  return {
    ...createConversationPorts(deps),
    sql: deps.sql,
    ...(deps.visitorMessagePosted ? { visitorMessagePosted: deps.visitorMessagePosted } : {}),
    ...(deps.startConversation ? { startConversation: deps.startConversation } : {}),
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
