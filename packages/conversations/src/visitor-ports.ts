import type { TSql } from '@pocketping/db';
import { createConversationPorts, type TConversationPorts, type TConversationPortsDeps } from './ports.js';

/** The visitor-side actions also write over the plain node-postgres pool (the widget's hot send path). */
export interface TVisitorPorts extends TConversationPorts {
  sql: TSql;
}

export function createVisitorPorts(deps: TConversationPortsDeps & { sql: TSql }): TVisitorPorts {
  return { ...createConversationPorts(deps), sql: deps.sql };
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
