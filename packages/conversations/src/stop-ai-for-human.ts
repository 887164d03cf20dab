import { setConversationAi } from '@pocketping/db';
import type { TConversationPorts } from './ports.js';

/**
 * A human wrote to the visitor: the AI's pending timer is cancelled and the AI stays off for this conversation until
 * `/ai on` or the inbox's "hand back to AI". Best effort on Redis (the worker re-checks in Postgres before posting:
 * a human message after the visitor's is enough to stop it); the state change is in Postgres.
 */
export async function stopAiForHuman(
  ports: TConversationPorts,
  organizationId: string,
  conversationId: string,
): Promise<void> {
  await setConversationAi(ports.db, organizationId, conversationId, 'off');
  await ports.aiTimer
    ?.cancel(conversationId)
    .catch((err: unknown) =>
      ports.log.warn(
        { err: err instanceof Error ? err.message : String(err), tenantId: organizationId, conversationId },
        'AI timer not cancelled (the worker re-checks before answering)',
      ),
    );
}
