import { z } from 'zod';
import { AppError } from '@pocketping/core';
import {
  assignConversation,
  changeConversationStatus,
  changeConversationTags,
  normalizeTags,
  type TActionAudit,
} from '@pocketping/conversations';
import { getApiConversation, getApiKeyMemberId, isStatementTimeout, listApiConversations } from '@pocketping/db';
import { MAX_TAGS_PER_CONVERSATION, TAG_MAX_LENGTH, normalizeTag } from '@pocketping/protocol';
import { apiOperation, type TApiTenantContext } from '../api-route';
import { apiProblem } from '../problem';
import type { TWebContext } from '../../context';
import { conversationPorts } from '../../inbox/realtime';
import { requestOrigin } from '../../request-origin';
import { decodeCursor, encodeCursor, one, page, ZApiConversation, ZAuthorName, ZCursor, ZId, ZLimit } from '../schemas';

const ZConversationCursor = z.object({ u: z.iso.datetime(), i: ZId });

/** The list's assignee and tag filters, also the MCP list tool's arguments: one reading of them, `listConversations`. */
export const ZAssigneeFilter = ZId.describe(
  "`none`: unassigned; `me`: assigned to the member who created this API key; else a member's user id.",
);
export const ZTagFilter = z
  .string()
  .trim()
  .min(1)
  .max(TAG_MAX_LENGTH)
  .describe('Only conversations with this tag (any case).');

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
      assignee: ZAssigneeFilter.optional(),
      tag: ZTagFilter.optional(),
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
  return keyMember(app, tenant, '`assignee=me`');
}

/** Who "me" is for an API key: the member who created it; a key without one (CLI, creator gone) is told so. */
async function keyMember(app: TWebContext, tenant: TApiTenantContext, said: string, field?: string): Promise<string> {
  const memberId = await getApiKeyMemberId(app.db, tenant.organizationId, tenant.apiKeyId);
  if (memberId) return memberId;
  const message =
    `${said} means the member who created this API key, and this key has none (made by the CLI, or its ` +
    'creator left the organization): pass their user id instead.';
  throw apiProblem('unprocessable', message, field ? { issues: [{ path: field, message }] } : undefined);
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

export const ZConversationPatch = z
  .strictObject({
    assigneeId: ZId.nullable()
      .optional()
      .describe(
        "A member's user id, `me` (the member who created this API key) or null for nobody. A change leaves a note " +
          'for the team and the chat apps ("API assigned this conversation to Ana") and sends `conversation.assigned`.',
      ),
    tags: z
      .array(z.string().max(200))
      .max(MAX_TAGS_PER_CONVERSATION)
      .optional()
      .describe(
        `The conversation's tags, replacing the ones it has ([] removes all): trimmed, inner spaces made one, ` +
          `lower-case, repeats dropped; each 1 to ${TAG_MAX_LENGTH} characters.`,
      ),
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field');

/** A refusal of a conversation action about one field of the PATCH body, answered naming that field. */
async function forField<T>(field: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof AppError && err.code === 'unprocessable')
      throw new AppError('unprocessable', err.message, { issues: [{ path: field, message: err.message }] });
    throw err;
  }
}

export const updateConversation = apiOperation(
  {
    operationId: 'updateConversation',
    method: 'PATCH',
    path: '/conversations/{conversationId}',
    tag: 'Conversations',
    summary: 'Assign a conversation and/or replace its tags',
    description:
      'What the inbox does (and `/assign`, `/tag` from a chat app), with the same rules: the assignee must be a ' +
      'member of the organization, the tags are normalized and limited the same way. Each change is in the audit ' +
      'log with this API key as its author. Setting what is already there changes nothing. Refused (422, `errors` ' +
      'names the field) before anything changes when the assignee is not a member or a tag is invalid.',
    params: ZConversationParams,
    body: ZConversationPatch,
    response: one(ZApiConversation),
    errors: [404, 422],
  },
  async ({ app, tenant, params, body, req }) => {
    const conversation = await loadConversation(app, tenant, params.conversationId);
    const assigneeId =
      body.assigneeId === 'me' ? await keyMember(app, tenant, '`assigneeId: "me"`', 'assigneeId') : body.assigneeId;
    // Bad tags are refused before the assignee is written: a refused request changes nothing.
    const rawTags = body.tags;
    const tags = rawTags === undefined ? undefined : await forField('tags', async () => normalizeTags(rawTags));
    const ports = conversationPorts(app);
    const audit: TActionAudit = { actorType: 'api_key', actorId: tenant.apiKeyId, origin: requestOrigin(req) };
    if (assigneeId !== undefined)
      await forField('assigneeId', () =>
        assignConversation(ports, tenant.organizationId, {
          conversationId: conversation.id,
          assigneeId,
          actor: { authorName: 'API', source: 'api' },
          audit,
        }),
      );
    if (tags)
      await forField('tags', () =>
        changeConversationTags(ports, tenant.organizationId, { conversationId: conversation.id, set: tags, audit }),
      );
    return { data: await loadConversation(app, tenant, conversation.id) };
  },
);
