/** [limit, window in seconds] per scope. Fixed windows in Redis, shared by every node (rate-limit.ts). */
export type TLimit = readonly [number, number];

export interface TEventLimits {
  visitor: TLimit;
  /**
   * The project's circuit breaker: counted only for visitors with no conversation yet (a flood of fresh visitors),
   * so a tripped breaker never stops a conversation that is already going. Abusers meet their own visitor and
   * address budgets long before it.
   */
  project?: TLimit;
}

/**
 * Per-event limits. The widget debounces typing and batches reads, so these sit well above what a real visitor
 * does and well below what a script hammering the key can do. Every event also counts against the per-address
 * budget (IPv6 grouped by /64). A refused event counts against nothing (rate-limit.ts: all or nothing).
 */
export const EVENT_LIMITS = {
  'message:send': { visitor: [20, 10], project: [2_000, 60] },
  history: { visitor: [60, 60] },
  'typing:update': { visitor: [40, 10] },
  read: { visitor: [60, 60] },
  identify: { visitor: [10, 60] },
  event: { visitor: [30, 60], project: [3_000, 60] },
  prechat: { visitor: [5, 60] },
  csat: { visitor: [5, 60] },
  // A typo in the email must not spend the hourly budget: that one is counted in the handler, once the request is valid.
  transcript: { visitor: [10, 60] },
  pages: { visitor: [30, 60] },
  upload: { visitor: [10, 60], project: [300, 60] },
} as const satisfies Record<string, TEventLimits>;

export const IP_EVENT_LIMIT: TLimit = [600, 60];
export const IP_UPLOAD_LIMIT: TLimit = [30, 60];

export type TLimitedEvent = keyof typeof EVENT_LIMITS;
