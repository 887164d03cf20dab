/** List prices in US dollars per million tokens (input, output) of the models people pick most; an estimate only. */
const PRICES_PER_MILLION: Readonly<Record<string, readonly [number, number]>> = {
  'gpt-4o-mini': [0.15, 0.6],
  'gpt-4o': [2.5, 10],
  'gpt-4.1': [2, 8],
  'gpt-4.1-mini': [0.4, 1.6],
  'gpt-4.1-nano': [0.1, 0.4],
  'gpt-5': [1.25, 10],
  'gpt-5-mini': [0.25, 2],
  'gpt-5-nano': [0.05, 0.4],
  'text-embedding-3-small': [0.02, 0],
  'text-embedding-3-large': [0.13, 0],
};

/**
 * Estimated cost of one call in millionths of a dollar, from the model's list price. A dated snapshot
 * (`gpt-4o-mini-2024-07-18`) is priced as its family; an unknown model (a self-hosted or other provider's) costs 0.
 */
export function estimateCostMicroUsd(model: string, promptTokens: number, completionTokens: number): number {
  const name = model.toLowerCase().replace(/^openai\//, '');
  const key = Object.keys(PRICES_PER_MILLION)
    .filter((k) => name === k || name.startsWith(`${k}-20`))
    .sort((a, b) => b.length - a.length)[0];
  if (!key) return 0;
  const [input, output] = PRICES_PER_MILLION[key]!;
  return Math.round(Math.max(0, promptTokens) * input + Math.max(0, completionTokens) * output);
}

/** The first instant of the calendar month (UTC) of `now`: monthly budgets and usage count from here. */
export function startOfMonthUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** "2026-12": the month a budget alert was sent in. */
export function monthKeyUtc(now: Date): string {
  return now.toISOString().slice(0, 7);
}
