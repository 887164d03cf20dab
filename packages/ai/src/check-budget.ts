import type { TAiSettings } from './ai-settings.js';

export interface TAiUsageThisMonth {
  replies: number;
  tokens: number;
}

export type TBudgetCheck =
  | { allowed: true; remaining: { replies: number; tokens: number } }
  | { allowed: false; reason: 'replies_exhausted' | 'tokens_exhausted' };

/**
 * Whether one more AI reply fits the project's monthly budget. Checked before each completion, so the reply that
 * crosses the token line still goes out (its size is only known afterwards) and the next one is refused.
 */
export function checkBudget({
  settings,
  usedThisMonth,
}: {
  settings: Pick<TAiSettings, 'monthlyBudget'>;
  usedThisMonth: TAiUsageThisMonth;
}): TBudgetCheck {
  const { maxReplies, maxTokens } = settings.monthlyBudget;
  const replies = Math.max(0, usedThisMonth.replies);
  const tokens = Math.max(0, usedThisMonth.tokens);
  if (replies >= maxReplies) return { allowed: false, reason: 'replies_exhausted' };
  if (tokens >= maxTokens) return { allowed: false, reason: 'tokens_exhausted' };
  return { allowed: true, remaining: { replies: maxReplies - replies, tokens: maxTokens - tokens } };
}
