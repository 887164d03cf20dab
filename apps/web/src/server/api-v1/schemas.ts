import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { LIMITS } from '@pocketping/protocol';

/** The resources of /api/v1 as zod schemas: they validate the answers and build the OpenAPI document. */

export const ZId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'not an id');
const ZDate = z.iso.datetime().describe('ISO 8601, UTC');

export const ZApiProject = z
  .object({
    id: z.string(),
    name: z.string(),
    siteUrl: z.string().nullable(),
    publicKey: z.string().describe('The widget key embedded in your site (public by design).'),
    allowedOrigins: z.array(z.string()),
    paused: z.boolean().describe('Paused by a plan downgrade: its widget starts no new conversations.'),
    createdAt: ZDate,
  })
  .meta({ id: 'Project' });

export const ZApiConversation = z
  .object({
    id: z.string(),
    projectId: z.string(),
    visitorId: z.string(),
    status: z.enum(['open', 'closed']),
    lastMessageAt: ZDate.nullable(),
    closedAt: ZDate.nullable(),
    messageCount: z.number().int().describe('Messages and notes so far (the last seq).'),
    csat: z
      .object({ score: z.number().int().min(1).max(5), comment: z.string().nullable(), at: ZDate.nullable() })
      .nullable(),
    assigneeId: z.string().nullable().describe('The member (user id) it is assigned to; null: nobody.'),
    tags: z.array(z.string()).describe('Its tags, lower-case (at most 10).'),
    createdAt: ZDate,
    updatedAt: ZDate,
  })
  .meta({ id: 'Conversation' });

export const ZApiAttachment = z
  .object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number().int() })
  .meta({ id: 'Attachment' });

export const ZApiMessage = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    seq: z.number().int().positive().describe('Order within the conversation; the cursor of the message list.'),
    sender: z.enum(['visitor', 'operator', 'system', 'ai']),
    visibility: z.enum(['public', 'internal']).describe('internal = a note: never shown to the visitor.'),
    authorName: z.string().nullable(),
    body: z.string().describe('Empty for a deleted message.'),
    source: z.string().describe('Where it was written: widget, web, telegram, slack, discord, api, ai, system.'),
    createdAt: ZDate,
    editedAt: ZDate.nullable(),
    deletedAt: ZDate.nullable(),
    attachments: z.array(ZApiAttachment),
  })
  .meta({ id: 'Message' });

const ZMetadataValue = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const ZApiVisitor = z
  .object({
    id: z.string(),
    projectId: z.string(),
    externalId: z.string().nullable().describe('Your own user id.'),
    identityVerified: z.boolean(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: ZDate,
    lastSeenAt: ZDate,
  })
  .meta({ id: 'Visitor' });

const ZExportMessage = z.object({
  id: z.string(),
  seq: z.number().int(),
  sender: z.string(),
  visibility: z.string(),
  authorName: z.string().nullable(),
  body: z.string(),
  source: z.string(),
  createdAt: ZDate,
  editedAt: ZDate.nullable(),
  deletedAt: ZDate.nullable(),
});
const ZExportFile = z.object({
  id: z.string(),
  conversationId: z.string(),
  messageId: z.string().nullable(),
  uploadedBy: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  createdAt: ZDate,
  downloadPath: z.string().describe("The dashboard's download link (for a signed-in member)."),
  contentBase64: z
    .string()
    .nullable()
    .describe('The bytes; null when the export already carries 20 MB of files or the bytes are gone.'),
});

export const ZApiVisitorExport = z
  .object({
    exportedAt: ZDate,
    visitor: ZApiVisitor.extend({
      verifiedFields: z.array(z.string()),
      timeZone: z.string().nullable().describe('The time zone the visitor’s browser reported.'),
    }),
    pagesVisited: z
      .array(z.object({ url: z.string(), seenAt: ZDate }))
      .describe('The pages the visitor’s widget saw (the newest 20 are kept), oldest first.'),
    conversations: z.array(
      z.object({
        id: z.string(),
        status: z.string(),
        aiState: z.string(),
        createdAt: ZDate,
        closedAt: ZDate.nullable(),
        lastMessageAt: ZDate.nullable(),
        preChat: z.unknown(),
        csat: z.object({ score: z.number().int(), comment: z.string().nullable(), at: ZDate.nullable() }).nullable(),
        overQuota: z.boolean(),
        messages: z.array(ZExportMessage).describe('Every message, internal notes included.'),
        files: z.array(ZExportFile),
        chatAppCopies: z
          .array(
            z.object({
              connectionId: z.string(),
              kind: z.string(),
              externalChatId: z.string(),
              externalThreadId: z.string(),
              messages: z.array(
                z.object({ messageId: z.string(), direction: z.string(), externalMessageId: z.string() }),
              ),
            }),
          )
          .describe('Where the conversation was copied in your chat apps (platform ids).'),
      }),
    ),
  })
  .meta({ id: 'VisitorExport' });

export const ZApiVisitorPatch = z
  .strictObject({
    email: z.email().max(254).nullable().optional(),
    name: z.string().trim().min(1).max(200).nullable().optional(),
    externalId: z.string().trim().min(1).max(200).nullable().optional(),
    metadata: z
      .record(z.string().min(1).max(64), ZMetadataValue.nullable())
      .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys')
      .optional()
      .describe('Merged key by key into the stored metadata; null removes a key.'),
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field');

export const ZApiConnection = z
  .object({
    id: z.string(),
    projectId: z.string(),
    kind: z.enum(['telegram', 'slack', 'discord']),
    targetName: z.string().nullable().describe('The group or channel, as named when connected.'),
    scopeName: z.string().nullable().describe('The Slack workspace or Discord server.'),
    status: z.enum(['active', 'broken', 'disabled']),
    statusReason: z.string().nullable(),
    paused: z.boolean(),
    lastSuccessAt: ZDate.nullable(),
    lastErrorAt: ZDate.nullable(),
    lastError: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    createdAt: ZDate,
  })
  .meta({ id: 'ChatAppConnection' });

export const ZApiWebhookEndpoint = z
  .object({
    id: z.string(),
    projectId: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()).describe('The event types this endpoint receives.'),
    status: z.enum(['enabled', 'disabled']),
    disabledReason: z.string().nullable(),
    failingSince: ZDate.nullable(),
    previousSecretExpiresAt: ZDate.nullable().describe('Until when the secret before a rotation still signs.'),
    createdAt: ZDate,
    updatedAt: ZDate,
  })
  .meta({ id: 'WebhookEndpoint' });

export const ZApiWebhookDelivery = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    projectId: z.string(),
    eventId: z.string().describe('The webhook-id header: the same on every attempt and on a replay.'),
    eventType: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: ZDate,
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: ZDate,
    deliveredAt: ZDate.nullable(),
    payload: z.unknown().describe('The body sent: { type, timestamp, data }.'),
    attemptLog: z.array(
      z.object({
        attempt: z.number().int(),
        status: z.number().int().nullable(),
        ok: z.boolean(),
        latencyMs: z.number().int(),
        response: z.string().describe('An excerpt of the answer.'),
        createdAt: ZDate,
      }),
    ),
  })
  .meta({ id: 'WebhookDelivery' });

export const ZAuthorName = z.string().trim().min(1).max(LIMITS.authorNameMax);

export const ZLimit = z.coerce.number().int().min(1).max(100).default(50).describe('Page size, 1–100 (default 50).');

/** `{ data }` */
export const one = <T extends z.ZodType>(item: T) => z.object({ data: item });
/** `{ data: [...], nextCursor }`: pass nextCursor as `cursor` for the next page; null on the last one. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });

/** Opaque cursors: base64url JSON the client passes back unchanged. */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  throw new AppError('bad_request', 'The cursor is not one this API gave out.', {
    apiCode: 'invalid_cursor',
    status: 400,
    issues: [{ path: 'cursor', message: 'invalid cursor' }],
  });
}

export const ZCursor = z.string().min(1).max(500).describe('nextCursor of the previous page.');
