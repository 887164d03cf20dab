// POST /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId/messages — reply or internal note from the web
import { z } from 'zod';
import { UPLOAD_LIMITS, ZClientId, ZMessageBodyOrEmpty } from '@pocketping/protocol';
import { orgRoute } from '~/server/tenancy';
import { postOperatorMessage } from '~/server/inbox/actions';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  conversationId: z.string().min(1).max(64),
});
const ZBody = z
  .object({
    /** May be empty when the reply carries files. */
    body: ZMessageBodyOrEmpty,
    /** internal = a note for the team: stored and mirrored to the chat apps as a note, never shown to the visitor. */
    visibility: z.enum(['public', 'internal']).default('public'),
    /** Chosen by the page per attempt: a retried request stores the message once. */
    clientId: ZClientId.optional(),
    /** Files uploaded from the reply box (…/attachments) for this conversation, not sent yet. */
    attachmentIds: z.array(z.string().min(1).max(64)).max(UPLOAD_LIMITS.perMessageMax).default([]),
  })
  .refine((b) => b.body !== '' || b.attachmentIds.length > 0, { message: 'message is empty', path: ['body'] });

export const POST = orgRoute(
  { role: 'agent', params: ZParams, body: ZBody },
  async ({ app, user, organizationId, params, body }) => {
    const scope = { app, user, organizationId, projectId: params.projectId, conversationId: params.conversationId };
    return postOperatorMessage(scope, {
      body: body.body,
      visibility: body.visibility,
      clientId: body.clientId,
      attachmentIds: body.attachmentIds,
    });
  },
);
