// POST /api/chat/:token/messages — a visitor's answer from the page a reply email links to. The signed token is the
// credential (that visitor, that conversation, until it expires); JSON only, so a cross-site form cannot post it.
import { z } from 'zod';
import { publicRoute } from '~/server/tenancy';
import { postFromConversationLink } from '~/server/notifications/visitor-link';

const ZBody = z
  .object({
    body: z.string().trim().min(1, 'Write a message first.').max(4_000, 'At most 4,000 characters.'),
    clientId: z.string().min(8).max(64),
  })
  .strict();

export const POST = publicRoute(
  { params: z.object({ token: z.string().min(1).max(400) }), body: ZBody },
  async ({ app, params, body }) => postFromConversationLink(app, params.token, body),
);
