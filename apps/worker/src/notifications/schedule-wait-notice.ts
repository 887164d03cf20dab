import { countWorkingConnections, getWaitState } from '@pocketping/db';
import type { TWorkerContext } from '../context.js';
import { projectSettingsReader, type TProjectSettingsReader } from '../project-settings.js';

export type TWaitScheduleOutcome = 'off' | 'nothing' | 'scheduled' | 'exists';

/**
 * A visitor message reached the worker (`visitor.posted`): schedule the email of the conversation's current wait — the
 * visitor's first message since the last answer — for when it has waited the project's `waitNotifyMinutes`. Later
 * messages of the same wait find it scheduled (one job per wait); an answer meanwhile makes the job do nothing. A
 * project without a working chat app gets it at once.
 */
export async function scheduleWaitNotice(
  ctx: Pick<TWorkerContext, 'db' | 'notifications'>,
  organizationId: string,
  input: { projectId: string; conversationId: string },
  settingsOf: TProjectSettingsReader = projectSettingsReader(ctx.db),
): Promise<TWaitScheduleOutcome> {
  if (!ctx.notifications) return 'off';
  const settings = await settingsOf(organizationId, input.projectId);
  if (!settings || settings.waitNotifyMinutes === 0) return 'off';
  const state = await getWaitState(ctx.db, organizationId, input.conversationId);
  if (!state || state.projectId !== input.projectId || state.status !== 'open' || !state.waitStart) return 'nothing';
  // Without a working chat app nothing buzzes a phone: the email is the only alert, so it goes at once.
  const working = await countWorkingConnections(ctx.db, organizationId, input.projectId);
  const delayMs = working === 0 ? 0 : settings.waitNotifyMinutes * 60_000;
  return ctx.notifications.scheduleWaiting(
    {
      organizationId,
      projectId: input.projectId,
      conversationId: input.conversationId,
      visitorSeq: state.waitStart.seq,
    },
    state.waitStart.createdAt.getTime() + delayMs,
  );
}
