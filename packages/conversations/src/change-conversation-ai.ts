import { getAiTurnState, setConversationAi } from '@pocketping/db';
import type { TConversationPorts } from './ports.js';

export interface TChangeConversationAiInput {
  conversationId: string;
  projectId: string;
  /** false: the AI stays quiet in this conversation; true: "hand back to AI" / `/ai on`. */
  on: boolean;
}

/**
 * Turns the AI off or back on for one conversation (inbox button, `/ai on|off` from any chat app). Turning it on
 * with a visitor message still unanswered starts the timer at once: the AI answers it (if the project's AI is on).
 * Turning it off removes a pending timer. Returns whether the state changed.
 */
export async function changeConversationAi(
  ports: TConversationPorts,
  organizationId: string,
  input: TChangeConversationAiInput,
): Promise<{ changed: boolean }> {
  const changed = await setConversationAi(ports.db, organizationId, input.conversationId, input.on ? 'standby' : 'off');
  if (ports.aiTimer) {
    if (!input.on) await ports.aiTimer.cancel(input.conversationId);
    else {
      const state = await getAiTurnState(ports.db, organizationId, input.conversationId);
      if (state?.lastVisitor && !state.humanSince && state.status === 'open')
        await ports.aiTimer.schedule(
          {
            organizationId,
            projectId: input.projectId,
            conversationId: input.conversationId,
            visitorSeq: state.lastVisitor.seq,
          },
          Date.now(),
        );
    }
  }
  if (changed)
    ports.dashboard?.event({
      type: 'conversation',
      organizationId,
      projectId: input.projectId,
      conversationId: input.conversationId,
      change: 'ai',
    });
  return { changed };
}
