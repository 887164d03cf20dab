/** The usage month: monthly figures count from the first day of a calendar month, 00:00 UTC. */
export interface TUsagePeriod {
  /** `YYYY-MM`, the key of counters and alert records. */
  key: string;
  start: Date;
  /** When the counters start again from zero (the next month's start). */
  resetsAt: Date;
}

export function usagePeriod(now: Date): TUsagePeriod {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return {
    key: `${y}-${String(m + 1).padStart(2, '0')}`,
    start: new Date(Date.UTC(y, m, 1)),
    resetsAt: new Date(Date.UTC(y, m + 1, 1)),
  };
}
