import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { sha256 } from '@pocketping/core';
import { getLastVisitorSeq } from '@pocketping/db';
import { ZMessageBody } from '@pocketping/protocol';
import { assertApiScope, IDEMPOTENCY_KEY_PATTERN, type TApiInvocation } from '../api-v1/api-route';
import { toProblem } from '../api-v1/problem';
import { ZAuthorName, ZId } from '../api-v1/schemas';
import {
  closeConversation,
  getConversation,
  listConversations,
  reopenConversation,
  updateConversation,
  ZAssigneeFilter,
  ZConversationPatch,
  ZTagFilter,
} from '../api-v1/operations/conversations';
import { listMessages, sendMessage } from '../api-v1/operations/messages';
import { listProjects } from '../api-v1/operations/projects';
import { getStats, STATS_DEFAULT_DAYS } from '../api-v1/operations/stats';
import { STATS_MAX_DAYS } from '../stats/stats-report';

/**
 * The tools of the MCP server (/api/mcp). Each one runs a /api/v1 operation in-process (`TApiHandler.run`: the same
 * scope check, zod validation, tenant scoping and conversation actions as the REST API — no second implementation);
 * `get_stats` runs `GET /api/v1/stats`, whose figures come from the one repository function. A refusal (unknown id, another tenant's id, a
 * read-only key on a write, bad input) is a tool error (`isError`) whose text names the problem and its stable code.
 */

/** What every tool call shares: the request's tenant, resolved once by `authenticateApiRequest`. */
export type TMcpCallContext = Omit<TApiInvocation, 'params' | 'query' | 'body'>;

function ok(data: unknown): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(data, null, 2) }],
    structuredContent: data as Record<string, unknown>,
  };
}

async function guarded(ctx: TMcpCallContext, tool: string, fn: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return ok(await fn());
  } catch (err) {
    const problem = toProblem(err, ctx.requestId);
    if (problem.code === 'internal') ctx.app.log.error({ err, requestId: ctx.requestId, tool }, 'mcp tool failed');
    const fields = problem.errors?.length
      ? ` (${problem.errors.map((e) => `${e.path}: ${e.message}`).join('; ')})`
      : '';
    return {
      isError: true,
      content: [{ type: 'text', text: `${problem.title}: ${problem.detail}${fields} [code: ${problem.code}]` }],
    };
  }
}

const ZConversationId = ZId.describe('The conversation id (from list_conversations).');
const ZLimitArg = z.number().int().min(1).max(100).optional();

export function registerMcpTools(server: McpServer, ctx: TMcpCallContext): void {
  server.registerTool(
    'list_projects',
    {
      title: 'List projects',
      description: 'The projects (sites) this API key can see, with their ids.',
      inputSchema: {},
      annotations: { readOnlyHint: true },
    },
    () => guarded(ctx, 'list_projects', () => listProjects.run({ ...ctx })),
  );

  server.registerTool(
    'list_conversations',
    {
      title: 'List or search conversations',
      description:
        'Conversations, most recently active first, filtered by status, project, visitor, assignee, tag and last ' +
        'update, or found by text (`q`: visitor email or name, message text). ' +
        'Pass `nextCursor` of the answer back as `cursor` (with the same filters) for the next page.',
      inputSchema: {
        status: z.enum(['open', 'closed']).optional(),
        projectId: ZId.optional(),
        visitorId: ZId.optional(),
        // The REST list's own filter schemas: `listConversations` reads them, whichever door they came through.
        assignee: ZAssigneeFilter.optional(),
        tag: ZTagFilter.optional(),
        updatedSince: z.iso
          .datetime({ offset: true })
          .optional()
          .describe('ISO 8601: only conversations updated at or after.'),
        q: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe("Text search: part of the visitor's email or name, or of a message or note (any case)."),
        cursor: z.string().min(1).max(500).optional(),
        limit: ZLimitArg.describe('Page size, 1–100 (default 20).'),
      },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      guarded(ctx, 'list_conversations', () =>
        listConversations.run({ ...ctx, query: { ...args, limit: args.limit ?? 20 } }),
      ),
  );

  server.registerTool(
    'get_conversation',
    {
      title: 'Read a conversation',
      description:
        'One conversation with its messages and internal notes, oldest first (up to `messagesLimit`; pass ' +
        '`messages.nextCursor` back as `messagesCursor` for more).',
      inputSchema: {
        conversationId: ZConversationId,
        messagesCursor: z.string().min(1).max(500).optional(),
        messagesLimit: ZLimitArg.describe('Messages per page, 1–100 (default 100).'),
      },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      guarded(ctx, 'get_conversation', async () => {
        const params = { conversationId: args.conversationId };
        const conversation = (await getConversation.run({ ...ctx, params })) as { data: unknown };
        const messages = await listMessages.run({
          ...ctx,
          params,
          query: { limit: args.messagesLimit ?? 100, ...(args.messagesCursor ? { cursor: args.messagesCursor } : {}) },
        });
        return { conversation: conversation.data, messages };
      }),
  );

  const messageInput = {
    conversationId: ZConversationId,
    body: ZMessageBody.describe('The text (Markdown).'),
    authorName: ZAuthorName.describe('The operator name shown to the visitor and the team.'),
    idempotencyKey: z
      .string()
      .regex(IDEMPOTENCY_KEY_PATTERN)
      .optional()
      .describe(
        'Any unique string (1–255 visible ASCII characters) for this one message: calling again with the same key ' +
          'returns the first message and posts nothing. Without it, the same text by the same author since the ' +
          "visitor's last message counts as a retry; pass a new key to post the same text again on purpose.",
      ),
  };

  /**
   * A retried call must not post twice: the given key, or one derived from what the message answers (the
   * conversation's newest visitor message) and what it says. Kept in the REST API's Idempotency-Key store.
   */
  const postOnce = async (
    tool: string,
    args: { conversationId: string; body: string; authorName: string; idempotencyKey?: string | undefined },
    visibility: 'public' | 'internal',
  ) => {
    assertApiScope(ctx.tenant, 'write');
    const idempotencyKey =
      args.idempotencyKey ??
      `mcp-${tool}-${sha256(
        JSON.stringify([
          args.conversationId,
          await getLastVisitorSeq(ctx.app.db, ctx.tenant.organizationId, args.conversationId),
          args.authorName,
          args.body,
        ]),
      )}`;
    return sendMessage.run({
      ...ctx,
      params: { conversationId: args.conversationId },
      body: { body: args.body, authorName: args.authorName, visibility },
      idempotencyKey,
    });
  };

  server.registerTool(
    'reply',
    {
      title: 'Reply to the visitor',
      description:
        'Sends a reply as an operator: it reaches the visitor\'s widget and every connected chat app as "<authorName> ' +
        '(via API)". Needs a key with the write scope.',
      inputSchema: messageInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    },
    (args) => guarded(ctx, 'reply', () => postOnce('reply', args, 'public')),
  );

  server.registerTool(
    'add_note',
    {
      title: 'Add an internal note',
      description:
        'Adds an internal note to the conversation: the team sees it (inbox and chat apps), the visitor never does. ' +
        'Needs a key with the write scope.',
      inputSchema: messageInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    },
    (args) => guarded(ctx, 'add_note', () => postOnce('add_note', args, 'internal')),
  );

  const statusInput = {
    conversationId: ZConversationId,
    authorName: ZAuthorName.optional().describe('Who did it, for the note the team sees (default "API").'),
  };
  for (const [name, op, title] of [
    ['close_conversation', closeConversation, 'Close a conversation'],
    ['reopen_conversation', reopenConversation, 'Reopen a conversation'],
  ] as const) {
    server.registerTool(
      name,
      {
        title,
        description: `${title}; the widget and every chat app are told. Doing it twice changes nothing. Needs the write scope.`,
        inputSchema: statusInput,
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
      },
      (args) =>
        guarded(ctx, name, () =>
          op.run({
            ...ctx,
            params: { conversationId: args.conversationId },
            body: args.authorName ? { authorName: args.authorName } : {},
          }),
        ),
    );
  }

  const patchField = ZConversationPatch.shape;
  server.registerTool(
    'assign_conversation',
    {
      title: 'Assign a conversation',
      description:
        'Assigns the conversation to a member (user id), to `me` (the member who created this API key), or to ' +
        'nobody (null), like PATCH /api/v1/conversations/{id}: the team and the chat apps get a note. Setting the ' +
        'current assignee changes nothing. Needs the write scope.',
      inputSchema: { conversationId: ZConversationId, assigneeId: patchField.assigneeId.unwrap() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    },
    (args) =>
      guarded(ctx, 'assign_conversation', () =>
        updateConversation.run({
          ...ctx,
          params: { conversationId: args.conversationId },
          body: { assigneeId: args.assigneeId },
        }),
      ),
  );

  server.registerTool(
    'set_conversation_tags',
    {
      title: 'Set the tags of a conversation',
      description:
        'Replaces the tags of the conversation with `tags` (to add one, pass the current tags and the new one; [] ' +
        'removes all), like PATCH /api/v1/conversations/{id}. Needs the write scope.',
      inputSchema: { conversationId: ZConversationId, tags: patchField.tags.unwrap() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    },
    (args) =>
      guarded(ctx, 'set_conversation_tags', () =>
        updateConversation.run({ ...ctx, params: { conversationId: args.conversationId }, body: { tags: args.tags } }),
      ),
  );

  server.registerTool(
    'get_stats',
    {
      title: 'Inbox statistics',
      description:
        'The figures of the stats page (the same as GET /api/v1/stats) for the conversations started in a period: ' +
        'count per day, first-response and resolution times in seconds (median, p90), CSAT (average, 1–5 ' +
        'distribution), where the first reply was written (dashboard, chat app, API, AI), busiest weekday × hour, ' +
        'unanswered; the same for the period just before (`previous`), and `waitingNow` (open, the visitor wrote ' +
        `last, no reply since). The period defaults to the last ${STATS_DEFAULT_DAYS} days (at most ${STATS_MAX_DAYS}).`,
      inputSchema: {
        projectId: ZId.optional(),
        since: z.iso.datetime({ offset: true }).optional().describe('ISO 8601 start of the period (inclusive).'),
        until: z.iso
          .datetime({ offset: true })
          .optional()
          .describe('ISO 8601 end of the period (exclusive; default now).'),
        timeZone: z.string().max(64).optional().describe('IANA time zone of the days and hours (default UTC).'),
      },
      annotations: { readOnlyHint: true },
    },
    (args) => guarded(ctx, 'get_stats', () => getStats.run({ ...ctx, query: args })),
  );
}
