import { z } from 'zod';
import { sha256 } from '@pocketping/core';
import { postOperatorMessage } from '@pocketping/conversations';
import { listApiMessages } from '@pocketping/db';
import { ZMessageBody } from '@pocketping/protocol';
import { apiOperation } from '../api-route';
import { conversationPorts } from '../../inbox/realtime';
import { decodeCursor, encodeCursor, one, page, ZApiMessage, ZAuthorName, ZCursor, ZId, ZLimit } from '../schemas';
import { loadConversation } from './conversations';

const ZParams = z.strictObject({ conversationId: ZId });
const ZMessageCursor = z.object({ s: z.number().int().min(0) });

export const listMessages = apiOperation(
  {
    operationId: 'listMessages',
    method: 'GET',
    path: '/conversations/{conversationId}/messages',
    tag: 'Messages',
    summary: 'Messages and notes of a conversation, oldest first',
    description: 'Cursor pagination by seq: pass `nextCursor` back as `cursor`.',
    params: ZParams,
    query: z.strictObject({
      cursor: ZCursor.optional(),
      afterSeq: z.coerce
        .number()
        .int()
        .min(0)
        .optional()
        .describe('Only messages after this seq (to poll for new ones). Ignored with a cursor.'),
      limit: ZLimit,
    }),
    response: page(ZApiMessage),
    errors: [404],
  },
  async ({ app, tenant, params, query }) => {
    const conversation = await loadConversation(app, tenant, params.conversationId);
    const afterSeq = query.cursor ? decodeCursor(query.cursor, ZMessageCursor).s : (query.afterSeq ?? 0);
    const { messages, hasMore } = await listApiMessages(
      app.db,
      tenant.organizationId,
      conversation.id,
      afterSeq,
      query.limit,
    );
    const last = messages[messages.length - 1];
    return { data: messages, nextCursor: hasMore && last ? encodeCursor({ s: last.seq }) : null };
  },
);

export const sendMessage = apiOperation(
  {
    operationId: 'sendMessage',
    method: 'POST',
    path: '/conversations/{conversationId}/messages',
    tag: 'Messages',
    summary: 'Reply as an operator, or add an internal note',
    description:
      'A reply reaches the visitor\'s widget and every connected chat app (as "<authorName> (via API)"); a note ' +
      '(`visibility: "internal"`) reaches the chat apps as a note and never the visitor. With an Idempotency-Key a ' +
      'retry returns the first message and sends nothing twice.',
    params: ZParams,
    body: z.strictObject({
      body: ZMessageBody,
      authorName: ZAuthorName.describe('The name the visitor and the team see.'),
      visibility: z.enum(['public', 'internal']).default('public'),
    }),
    response: one(ZApiMessage),
    status: 201,
    errors: [404],
  },
  async ({ app, tenant, params, body, idempotencyKey }) => {
    const conversation = await loadConversation(app, tenant, params.conversationId);
    const { message } = await postOperatorMessage(conversationPorts(app), tenant.organizationId, {
      conversationId: conversation.id,
      projectId: conversation.projectId,
      authorName: body.authorName,
      body: body.body,
      visibility: body.visibility,
      source: 'api',
      // The message's own idempotency: the same key can never store a second message, even past the stored answer.
      clientId: idempotencyKey ? `api_${sha256(`${tenant.apiKeyId}:${idempotencyKey}`).slice(0, 40)}` : null,
    });
    return { data: { ...message, visibility: body.visibility } };
  },
);
