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
  /** The visitor's id, for the short visitor number of a title ("Visitor #4821"); absent from older callers. */
  visitorId?: string;
  visitorName: string | null;
  visitorEmail: string | null;
  pageUrl: string | null;
  referrer: string | null;
  userAgent: string | null;
  location: string | null;
  /** Pre-chat form answers and identity traits, label → value (optional: older callers do not fill it). */
  extra?: Record<string, string>;
  /** Conversation status, for /info (optional). */
  status?: 'open' | 'closed';
  /** Whether the visitor has the site open right now, for /info (presence is never posted by itself). */
  visitorOnline?: boolean;
  /**
   * Whether the customer's signature covered the shown name / email (identify() with a signed token). A false one is
   * the visitor's own claim and is shown as "(unverified)". Absent: not known (older callers), shown as it is.
   */
  verified?: { name: boolean; email: boolean };
  /**
   * The visitor's previous conversation, when this one started after it was closed ("the visitor wrote again"): its
   * title, when it was closed, and a link to its thread on the same platform where the platform has links.
   */
  previous?: { title: string; closedAt: string | null; link: string | null };
}

/**
 * A platform thread. `externalChatId` is the chat/channel it lives in (Telegram chat id, Slack channel id, Discord:
 * whatever the bridge needs to match guild + channel too); `externalThreadId` the topic id / thread_ts / thread id.
 * The pair is unique per connection (BridgeThread).
 */
export interface TThreadRef {
  externalChatId: string;
  externalThreadId: string;
}

/** A file attached to an outgoing message, bytes already loaded by the pipeline (size-limited upstream). */
export interface TOutgoingFile {
  name: string;
  contentType: string;
  size: number;
  data: Uint8Array;
}

export interface TOutgoingMessage {
  messageId: string;
  seq: number;
  sender: TSenderKind;
  authorName: string | null;
  body: string;
  /** Where it was written (widget, web, telegram, slack, …): a mirrored operator reply says "Sarah (via Slack)". */
  source: string;
  /** 'internal' = an operator note (/note): render it as a note; it never reaches the visitor. Default 'public'. */
  visibility?: 'public' | 'internal';
  /** Metadata of attached files; the bytes are sent separately with `sendAttachment`. */
  attachments?: { name: string; contentType: string; size: number }[];
}

/** A file an operator posted on the platform; the pipeline downloads it with `downloadFile` (size-limited). */
export interface TInboundFile {
  /** Platform handle for the download: Telegram file_id, Slack url_private, Discord attachment url. */
  ref: string;
  name: string;
  contentType: string;
  /** As announced by the platform, when it says (checked again while downloading). */
  size: number | null;
}

/**
 * Operator commands, from any thread: `/info`, `/close`, `/reopen`, `/note text`, `/ai on|off`, `/help`
 * (and the same words with `!` where the platform does not run slash commands in threads, i.e. Slack).
 * Bridges may return them parsed (`type: 'command'`, e.g. Discord interactions); plain text commands in a
 * `message` are recognised by the pipeline itself, so a bridge does not have to.
 */
export type TOperatorCommand =
  | { name: 'info' }
  | { name: 'close' }
  | { name: 'reopen' }
  | { name: 'help' }
  | { name: 'note'; text: string }
  | { name: 'ai'; on: boolean }
  /** `/ai` or `/ai status`: whether the AI may answer in this conversation, and why not. */
  | { name: 'aiStatus' }
  /** `/saved`: the project's saved replies; `/saved <shortcut>`: send that one to the visitor as this operator. */
  | { name: 'saved'; shortcut: string | null }
  /** `/assign me`, `/assign <name or email prefix>`, `/assign none`. */
  | { name: 'assign'; to: { kind: 'me' } | { kind: 'none' } | { kind: 'member'; query: string } }
  | { name: 'tag'; tag: string }
  | { name: 'untag'; tag: string }
  | { name: 'unknown'; raw: string };

/** An inbound platform event, parsed into what the pipeline understands. */
export type TInboundAction =
  | {
      type: 'message';
      thread: TThreadRef;
      externalMessageId: string;
      authorName: string;
      text: string;
      /** Files posted with the message (Telegram photo/document, Slack files, Discord attachments). */
      files?: TInboundFile[];
      /** The platform user id, when `authorName` is only a fallback: the pipeline then asks `resolveUserName`. */
      authorId?: string;
    }
  | { type: 'edit'; thread: TThreadRef; externalMessageId: string; text: string }
  /** The operator deleted their message on the platform (Slack message_deleted, Discord MESSAGE_DELETE). */
  | { type: 'delete'; thread: TThreadRef; externalMessageId: string }
  /** A command already parsed by the platform (e.g. a Discord interaction). */
  | { type: 'command'; thread: TThreadRef; externalMessageId: string; authorName: string; command: TOperatorCommand }
  /**
   * The platform says the install itself is gone (Slack app_uninstalled / tokens_revoked): the connection turns
   * broken with `reason` (for a person) at once, before a delivery fails on it.
   */
  | { type: 'connection_lost'; reason: string }
  | { type: 'ignore'; reason: string };

export interface TCredentialCheck {
  /** A human-readable description of what was validated, e.g. the bot's @username and the group title. */
  summary: string;
  botId: string;
  /** Display names for the dashboard (group title / channel name; workspace / server name), where the check read them. */
  targetName?: string;
  scopeName?: string;
}

/**
 * A posting limit the pipeline enforces with a token bucket in Redis before each platform call (no sleeping:
 * the drain job is moved to delayed when the bucket is empty). `scope` says what shares the bucket: 'target'
 * = the connection's chat/channel (Telegram: 20 posts/min for the whole group), 'thread' = one thread, 'tenant' =
 * every connection of one organization on this platform — for apps shared by all tenants (the one Discord bot, the
 * one Slack app), so a tenant posting thousands of messages has its jobs delayed, which frees the workers and the
 * shared bot for the other tenants' messages.
 */
export interface TPostRateLimit {
  scope: 'target' | 'thread' | 'tenant';
  capacity: number;
  perMs: number;
}

/**
 * One interface for every platform. Adding a platform is adding a folder under src/ and a line in the registry.
 * Methods throw BridgeError, classified so the pipeline knows to retry, wait, recreate a thread or alert a person.
 *
 * Contracts:
 * - validateCredentials: read-only checks that the token works and the target is usable; throws a BridgeError
 *   whose message a person understands ("the bot must be an administrator of the group").
 * - ensureThread: opens a NEW thread for the conversation (Telegram topic, Slack parent message, Discord thread).
 *   Where the thread and the card are two platform calls, the bridge has `postCard` and ensureThread only opens the
 *   thread: the pipeline records it at once, then posts the card (a failed card post — a 429 — never loses the
 *   thread; the card is the thread's next post). Without `postCard` the thread's opening post is the card (Slack).
 *   Called once per conversation and again after `thread_gone`.
 * - postCard (optional): posts the visitor card as the first message of a thread ensureThread opened.
 * - renameThread (optional): gives an existing thread the title of `card` (the visitor identified): Telegram
 *   editForumTopic, Discord's thread name, Slack's parent post (the card itself). Idempotent: an unchanged title is
 *   success. Queued through the outbox (`bridge.rename`) like any delivery.
 * - threadLink (optional): a URL that opens the thread in the platform's app, where one can be made without a call.
 * - send: posts one message in the thread, returns the platform's message id (recorded in BridgeMessage right
 *   after). Must escape the body so visitor text never formats or mentions anything. One platform call if
 *   possible: the pipeline's exactly-once window is the time between the call and the record.
 * - sendCoalesced (optional): posts the longest prefix of `messages` that fits in ONE post (at least one) and
 *   says how many it took. Used while the target's rate limit is exhausted, so a backlog costs few posts.
 * - edit / remove: change or delete a message this bridge posted. A "not modified"/"already gone" answer is
 *   success (edits and deletes are retried, so they must be idempotent).
 * - sendAttachment (optional): uploads one file into the thread (caption = the message text, rendered like send).
 * - replyInThread (optional): posts a plain operator-only text (command answers, system notes) in the thread; not
 *   recorded, not mirrored. The bridge escapes `text`.
 * - postAlert (optional): posts a system note in a general place of the target (Telegram General topic, the Slack
 *   or Discord channel itself) — used to tell the owner that another connection is broken.
 * - downloadFile (optional): fetches an inbound file; must stop and throw a 'rejected' BridgeError past `maxBytes`.
 * - resolveUserName (optional): the operator's display name when parseInbound could only give a fallback (it is
 *   pure and cannot call the platform); the pipeline calls it when the action carries `authorId`, keeping
 *   `authorName` if the lookup fails.
 * - registerWebhook (optional): points the platform's inbound deliveries at us, where the platform pushes.
 * - parseInbound: pure parsing of one stored inbound delivery; never calls the platform; ignores the bot's own
 *   messages and anything outside the connection's target.
 * - inboundDeliveryId: the platform's id of an inbound delivery, the dedupe key (Telegram update_id, Slack
 *   event_id, Discord message id + event type).
 * - postRateLimits (optional): limits the pipeline enforces before `send`/`sendCoalesced`/`sendAttachment`.
 */
/** What the pipeline hears from sendAttachment while it runs. */
export interface TUploadHooks {
  /** The platform's id of the upload, before the call that shares it in the thread (kept in the pair's marker). */
  onPending?(ref: string): Promise<void>;
}

export interface TBridge {
  readonly kind: TBridgeKind;
  readonly postRateLimits?: readonly TPostRateLimit[];
  validateCredentials(target: TBridgeTarget): Promise<TCredentialCheck>;
  ensureThread(target: TBridgeTarget, card: TConversationCard): Promise<TThreadRef>;
  postCard?(target: TBridgeTarget, thread: TThreadRef, card: TConversationCard): Promise<void>;
  renameThread?(target: TBridgeTarget, thread: TThreadRef, card: TConversationCard): Promise<void>;
  threadLink?(target: TBridgeTarget, thread: TThreadRef): string | null;
  send(target: TBridgeTarget, thread: TThreadRef, message: TOutgoingMessage): Promise<{ externalMessageId: string }>;
  /**
   * Looks in the thread for a post of `message` sent since `sinceMs` (minus a margin) — the post of a worker killed
   * before it could record it — so that it is recorded instead of posted twice. Only for platforms whose posts carry
   * our id and can be read back (Slack: message metadata); Discord dedupes by nonce, Telegram cannot be asked.
   */
  findPost?(
    target: TBridgeTarget,
    thread: TThreadRef,
    message: TOutgoingMessage,
    sinceMs: number,
  ): Promise<{ externalMessageId: string } | null>;
  /** The same for the post that opens a conversation's thread (ensureThread): the thread a killed worker opened. */
  findThread?(target: TBridgeTarget, card: TConversationCard, sinceMs: number): Promise<TThreadRef | null>;
  sendCoalesced?(
    target: TBridgeTarget,
    thread: TThreadRef,
    messages: readonly TOutgoingMessage[],
  ): Promise<{ externalMessageId: string; count: number }>;
  edit(target: TBridgeTarget, thread: TThreadRef, externalMessageId: string, message: TOutgoingMessage): Promise<void>;
  remove(target: TBridgeTarget, thread: TThreadRef, externalMessageId: string): Promise<void>;
  sendAttachment?(
    target: TBridgeTarget,
    thread: TThreadRef,
    file: TOutgoingFile,
    message: TOutgoingMessage,
    hooks?: TUploadHooks,
  ): Promise<{ externalMessageId: string }>;
  /**
   * For an upload interrupted by a crash: was the upload that `onPending` named shared into the thread? Only where
   * an upload gets an id before the call that posts it (Slack: files.getUploadURLExternal, then
   * files.completeUploadExternal), so the pipeline can record that share instead of uploading the file twice.
   */
  findUpload?(target: TBridgeTarget, thread: TThreadRef, ref: string): Promise<{ externalMessageId: string } | null>;
  replyInThread?(target: TBridgeTarget, thread: TThreadRef, text: string): Promise<{ externalMessageId: string }>;
  postAlert?(target: TBridgeTarget, text: string): Promise<void>;
  downloadFile?(
    target: TBridgeTarget,
    file: TInboundFile,
    maxBytes: number,
  ): Promise<{ data: Uint8Array; name: string; contentType: string }>;
  /** The app's own "typing…" in the thread, for a few seconds (the visitor is writing). Ephemeral, best effort. */
  showTyping?(target: TBridgeTarget, thread: TThreadRef): Promise<void>;
  /** Display name of a platform user (Slack users.info), cached by the bridge; used for `authorId` messages. */
  resolveUserName?(target: TBridgeTarget, userId: string): Promise<string>;
  /** Point the platform's inbound deliveries at us (webhook with a secret), where the platform pushes. */
  registerWebhook?(target: TBridgeTarget, input: { url: string; secret: string }): Promise<void>;
  parseInbound(target: TBridgeTarget, payload: unknown): TInboundAction;
  /** The platform's id of an inbound delivery, the dedupe key (Telegram update_id). */
  inboundDeliveryId(payload: unknown): string | null;
}
