import type { TSenderKind } from '@pocketping/protocol';

export type TBridgeKind = 'telegram' | 'discord' | 'slack';

/** Everything a bridge needs to act for one connection. Credentials arrive unsealed; bridges never log them. */
export interface TBridgeTarget {
  connectionId: string;
  credentials: unknown;
  /** Telegram chat id, Discord channel id, Slack channel id. */
  targetId: string;
  /** Discord guild id, Slack team id. */
  targetScope: string | null;
}

/** What a bridge knows of a conversation when it opens a thread: enough for a visitor card, no Prisma objects. */
export interface TConversationCard {
  conversationId: string;
  visitorName: string | null;
  visitorEmail: string | null;
  pageUrl: string | null;
  referrer: string | null;
  userAgent: string | null;
  location: string | null;
}

export interface TThreadRef { externalChatId: string; externalThreadId: string }

export interface TOutgoingMessage {
  messageId: string;
  seq: number;
  sender: TSenderKind;
  authorName: string | null;
  body: string;
  /** Where it was written (widget, web, telegram, slack, …): a mirrored operator reply says "Sarah (via Slack)". */
  source: string;
}

/** An inbound platform event, parsed into what the pipeline understands. */
export type TInboundAction =
  | {
      type: 'message';
      thread: TThreadRef;
      externalMessageId: string;
      authorName: string;
      text: string;
    }
  | { type: 'edit'; thread: TThreadRef; externalMessageId: string; text: string }
  | { type: 'ignore'; reason: string };

export interface TCredentialCheck {
  /** A human-readable description of what was validated, e.g. the bot's @username and the group title. */
  summary: string;
  botId: string;
}

/**
 * One interface for every platform. Adding a platform is adding a folder under src/ and a line in the registry.
 * Methods throw BridgeError, classified so the pipeline knows to retry, wait, recreate a thread or alert a person.
 */
export interface TBridge {
  readonly kind: TBridgeKind;
  validateCredentials(target: TBridgeTarget): Promise<TCredentialCheck>;
  ensureThread(target: TBridgeTarget, card: TConversationCard): Promise<TThreadRef>;
  send(target: TBridgeTarget, thread: TThreadRef, message: TOutgoingMessage): Promise<{ externalMessageId: string }>;
  edit(target: TBridgeTarget, thread: TThreadRef, externalMessageId: string, message: TOutgoingMessage): Promise<void>;
  remove(target: TBridgeTarget, thread: TThreadRef, externalMessageId: string): Promise<void>;
  /** Point the platform's inbound deliveries at us (webhook with a secret), where the platform pushes. */
  registerWebhook?(target: TBridgeTarget, input: { url: string; secret: string }): Promise<void>;
  parseInbound(target: TBridgeTarget, payload: unknown): TInboundAction;
  /** The platform's id of an inbound delivery, the dedupe key (Telegram update_id). */
  inboundDeliveryId(payload: unknown): string | null;
}
