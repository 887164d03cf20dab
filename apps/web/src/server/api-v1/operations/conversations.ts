import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { changeConversationStatus } from '@pocketping/conversations';
import { getApiConversation, getApiKeyMemberId, isStatementTimeout, listApiConversations } from '@pocketping/db';
import { TAG_MAX_LENGTH, normalizeTag } from '@pocketping/protocol';
import { apiOperation, type TApiTenantContext } from '../api-route';
import { apiProblem } from '../problem';
import type { TWebContext } from '../../context';
import { conversationPorts } from '../../inbox/realtime';
import { decodeCursor, encodeCursor, one, page, ZApiConversation, ZAuthorName, ZCursor, ZId, ZLimit } from '../schemas';

const ZConversationCursor = z.object({ u: z.iso.datetime(), i: ZId });

export const listConversations = apiOperation(
  {
    operationId: 'listConversations',
    method: 'GET',
    path: '/conversations',
    tag: 'Conversations',
    summary: 'Conversations, most recently active first',
    description: 'Cursor pagination: pass `nextCursor` back as `cursor` with the same filters.',
    query: z.strictObject({
      status: z.enum(['open', 'closed']).optional(),
      projectId: ZId.optional(),
      visitorId: ZId.optional(),
      assignee: ZId.optional().describe(
        "`none`: unassigned; `me`: assigned to the member who created this API key; else a member's user id.",
      ),
      tag: z
        .string()
        .trim()
        .min(1)
        .max(TAG_MAX_LENGTH)
        .optional()
        .describe('Only conversations with this tag (any case).'),
      updatedSince: z.iso.datetime({ offset: true }).optional().describe('Only conversations updated at or after.'),
      q: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .optional()
        .describe("Text search: part of the visitor's email or name, or of a message or note (any case)."),
      cursor: ZCursor.optional(),
      limit: ZLimit,
    }),
    response: page(ZApiConversation),
    errors: [422],
  },
  async ({ app, tenant, query }) => {
    const after = query.cursor ? decodeCursor(query.cursor, ZConversationCursor) : null;
    const assigneeId = await assigneeFilter(app, tenant, query.assignee);
    const tag = query.tag === undefined ? undefined : normalizeTag(query.tag);
    if (tag === null) throw apiProblem('unprocessable', `A tag is 1 to ${TAG_MAX_LENGTH} characters.`);
    const { rows, next } = await listApiConversations(app.db, tenant, {
      status: query.status,
      projectId: query.projectId,
      visitorId: query.visitorId,
      assigneeId,
      tag,
      updatedSince: query.updatedSince ? new Date(query.updatedSince) : undefined,
      q: query.q,
      searchTimeoutMs: app.env.API_SEARCH_TIMEOUT_MS,
      after: after ? { updatedAt: new Date(after.u), id: after.i } : null,
      limit: query.limit,
    }).catch((err: unknown) => {
      if (!isStatementTimeout(err)) throw err;
      throw apiProblem(
        'search_timeout',
        `The text search took longer than ${app.env.API_SEARCH_TIMEOUT_MS / 1000} s. Narrow it — a longer \`q\`, ` +
          'or with `projectId`, `status`, `visitorId` or `updatedSince` — and try again.',
      );
    });
    return {
      data: rows,
      nextCursor: next ? encodeCursor({ u: next.updatedAt.toISOString(), i: next.id }) : null,
    };
  },
);

/** `assignee=` → a user id, null for `none`, undefined for no filter. */
async function assigneeFilter(
  app: TWebContext,
  tenant: TApiTenantContext,
  assignee: string | undefined,
): Promise<string | null | undefined> {
  if (assignee === undefined) return undefined;
  if (assignee === 'none') return null;
  if (assignee !== 'me') return assignee;
  const memberId = await getApiKeyMemberId(app.db, tenant.organizationId, tenant.apiKeyId);
  if (!memberId)
    throw apiProblem(
      'unprocessable',
      '`assignee=me` means the member who created this API key, and this key has none (made by the CLI, or its ' +
        'creator left the organization): pass their user id instead.',
    );
  return memberId;
}

const ZConversationParams = z.strictObject({ conversationId: ZId });

export async function loadConversation(app: TWebContext, tenant: TApiTenantContext, conversationId: string) {
  const conversation = await getApiConversation(app.db, tenant, conversationId);
  if (!conversation) throw new AppError('not_found', 'Conversation not found.');
  return conversation;
}

export const getConversation = apiOperation(
  {
    operationId: 'getConversation',
    method: 'GET',
    path: '/conversations/{conversationId}',
    tag: 'Conversations',
    summary: 'One conversation',
    params: ZConversationParams,
    response: one(ZApiConversation),
    errors: [404],
  },
  async ({ app, tenant, params }) => ({ data: await loadConversation(app, tenant, params.conversationId) }),
);

function statusOperation(status: 'open' | 'closed') {
  const verb = status === 'closed' ? 'close' : 'reopen';
  return apiOperation(
    {
      operationId: `${verb}Conversation`,
      method: 'POST',
      path: `/conversations/{conversationId}/${verb}`,
      tag: 'Conversations',
      summary: status === 'closed' ? 'Close a conversation' : 'Reopen a conversation',
      description:
        'Like /close and /reopen from a chat app: the widget is told, every chat app gets a note ' +
        '("<authorName> closed the conversation"). Doing it twice changes nothing the second time.',
      params: ZConversationParams,
      body: z.strictObject({
        authorName: ZAuthorName.optional().describe('Who did it, for the note (default "API").'),
      }),
      response: one(ZApiConversation.extend({ changed: z.boolean() })),
      errors: [404],
    },
    async ({ app, tenant, params, body }) => {
      const conversation = await loadConversation(app, tenant, params.conversationId);
      const { changed } = await changeConversationStatus(conversationPorts(app), tenant.organizationId, {
        conversationId: conversation.id,
        status,
        actor: { authorName: body.authorName ?? 'API', source: 'api' },
      });
      return { data: { ...(await loadConversation(app, tenant, conversation.id)), changed } };
    },
  );
}

export const closeConversation = statusOperation('closed');
export const reopenConversation = statusOperation('open');
