import { countProjectConnections, type TDb } from '@pocketping/db';

export type TOnboardingStep = 1 | 2 | 3 | 4 | 5;

/**
 * Where onboarding resumes for a project: the snippet until a widget has connected, then the chat apps until one
 * is connected, then the test message. `requested` (from ?step=) may revisit any step from 3 on.
 */
export async function onboardingStepFor(
  db: TDb,
  organizationId: string,
  project: { id: string; widgetFirstSeenAt: Date | null },
  requested?: number,
): Promise<{ step: TOnboardingStep; bridgeCount: number }> {
  const bridgeCount = await countProjectConnections(db, organizationId, project.id);
  if (requested !== undefined && requested >= 3 && requested <= 5)
    return { step: requested as TOnboardingStep, bridgeCount };
  if (!project.widgetFirstSeenAt) return { step: 3, bridgeCount };
  return { step: bridgeCount === 0 ? 4 : 5, bridgeCount };
}
