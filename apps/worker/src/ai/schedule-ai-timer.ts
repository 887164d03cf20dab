import { getAiTurnState } from '@pocketping/db';
import type { TAiScheduleOutcome } from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';
import { loadAiSettings, takeoverDelayMs } from './ai-config.js';
import { projectSettingsReader, type TProjectSettingsReader } from '../project-settings.js';

/**
 * A visitor message reached the worker (`visitor.posted`, queued by realtime): start (or move) the conversation's AI timer so it fires once that message
 * has waited the project's delay. Nothing is scheduled when the project's or the conversation's AI is off. The fire
 * time is anchored on the message's own time, so a late call (a delivery that waited for a rate limit) or a repeat
 * never pushes the answer back.
 */
export async function scheduleAiTimer(
  ctx: Pick<TWorkerContext, 'db' | 'aiTimer' | 'ai'>,
  organizationId: string,
  input: { projectId: string; conversationId: string },
  settingsOf: TProjectSettingsReader = projectSettingsReader(ctx.db),
): Promise<TAiScheduleOutcome | 'off' | 'nothing'> {
  if (!ctx.aiTimer || !ctx.ai) return 'off';
  const settings = await loadAiSettings(ctx.db, organizationId, input.projectId, ctx.ai.defaultModel);
  if (!settings.enabled) return 'off';
  const state = await getAiTurnState(ctx.db, organizationId, input.conversationId);
  if (!state || state.projectId !== input.projectId || state.aiState === 'off' || state.status !== 'open') return 'off';
  if (!state.lastVisitor || state.humanSince) return 'nothing';
  const projectSettings = await settingsOf(organizationId, input.projectId);
  const at = state.lastVisitor.createdAt;
  return ctx.aiTimer.schedule(
    {
      organizationId,
      projectId: input.projectId,
      conversationId: input.conversationId,
      visitorSeq: state.lastVisitor.seq,
    },
    at.getTime() + takeoverDelayMs(settings, projectSettings, at),
  );
}
