// POST /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId/messages — reply or internal note from the web
import { z } from 'zod';
import { ZClientId, ZMessageBody } from '@pocketping/protocol';
import { orgRoute } from '~/server/tenancy';
import { postOperatorMessage } from '~/server/inbox/actions';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  conversationId: z.string().min(1).max(64),
});
const ZBody = z.object({
  body: ZMessageBody,
  /** internal = a note for the team: stored and mirrored to the chat apps as a note, never shown to the visitor. */
  visibility: z.enum(['public', 'internal']).default('public'),
  /** Chosen by the page per attempt: a retried request stores the message once. */
  clientId: ZClientId.optional(),
});

export const POST = orgRoute(
  { role: 'agent', params: ZParams, body: ZBody },
  async ({ app, user, organizationId, params, body }) => {
    const scope = { app, user, organizationId, projectId: params.projectId, conversationId: params.conversationId };
    return postOperatorMessage(scope, { body: body.body, visibility: body.visibility, clientId: body.clientId });
  },
);
