import type { Redis } from 'ioredis';
import { AppError } from '@pocketping/core';
import type { TBillingState } from './billing-state.js';
import { entitlementsFor, type TEntitlements } from './entitlements.js';
import { PLANS, type TPlanId } from './plans.js';
import { usagePeriod, type TUsagePeriod } from './usage-period.js';

/** The limits `checkLimit` answers for; each one is a meter on the usage page. */
export const LIMIT_KEYS = [
  'projects',
  'seats',
  'chatAppsPerProject',
  'conversationsPerMonth',
  'aiRepliesPerMonth',
  'aiTokensPerMonth',
  'storageBytes',
] as const;
export type TLimitKey = (typeof LIMIT_KEYS)[number];
/** The limits that count this month and start again at zero on the 1st (UTC). */
export const MONTHLY_LIMITS: readonly TLimitKey[] = ['conversationsPerMonth', 'aiRepliesPerMonth', 'aiTokensPerMonth'];

/** Where usage is read from (Postgres, through packages/db's `createLimitsStore`); passed in so this stays testable. */
export interface TLimitsStore {
  loadBillingState(organizationId: string): Promise<TBillingState>;
  countActiveProjects(organizationId: string): Promise<number>;
  countSeats(organizationId: string, now: Date): Promise<number>;
  countActiveChatApps(organizationId: string, projectId: string): Promise<number>;
  /** The most active chat apps any one project of the organization has. */
  maxActiveChatApps(organizationId: string): Promise<number>;
  storageUsedBytes(organizationId: string): Promise<number>;
  countConversationsSince(organizationId: string, since: Date): Promise<number>;
  getAiUsage(organizationId: string, month: string): Promise<{ replies: number; tokens: number }>;
  addAiUsage(
    organizationId: string,
    month: string,
    add: { replies: number; tokens: number },
  ): Promise<{ replies: number; tokens: number }>;
}

export interface TMeter {
  used: number;
  /** null = unlimited. */
  max: number | null;
}

export interface TOrganizationAllowance {
  organizationId: string;
  entitlements: TEntitlements;
  period: TUsagePeriod;
  meters: Record<TLimitKey, TMeter>;
  apiRequestsPerMinute: number;
  retentionDays: number | null;
  showBranding: boolean;
}

export interface TLimitCheck {
  limit: TLimitKey;
  allowed: boolean;
  used: number;
  adding: number;
  max: number | null;
  plan: TPlanId;
}

/** What a refusal carries (`AppError('forbidden', …, details)`): the UI shows the message and an upgrade button. */
export interface TPlanLimitDetails {
  reason: 'plan_limit';
  limit: TLimitKey;
  used: number;
  max: number;
  plan: TPlanId;
}

const LIMIT_NOUNS: Record<TLimitKey, [string, string]> = {
  projects: ['project', 'projects'],
  seats: ['seat (members and pending invitations)', 'seats (members and pending invitations)'],
  chatAppsPerProject: ['chat app per project', 'chat apps per project'],
  conversationsPerMonth: ['conversation this month', 'conversations this month'],
  aiRepliesPerMonth: ['AI reply this month', 'AI replies this month'],
  aiTokensPerMonth: ['AI token this month', 'AI tokens this month'],
  storageBytes: ['byte of file storage', 'bytes of file storage'],
};

export function describeLimit(limit: TLimitKey, max: number): string {
  const [one, many] = LIMIT_NOUNS[limit];
  return `${max.toLocaleString('en-US')} ${max === 1 ? one : many}`;
}

/** The refusal for going over a limit: AppError forbidden with `TPlanLimitDetails`, in words an owner understands. */
export function planLimitError(limit: TLimitKey, used: number, max: number, plan: TPlanId): AppError {
  const details: TPlanLimitDetails = { reason: 'plan_limit', limit, used, max, plan };
  return new AppError(
    'forbidden',
    `Your ${PLANS[plan].name} plan allows ${describeLimit(limit, max)}. Upgrade your plan to add more.`,
    details,
  );
}

/** Throws `planLimitError` unless `used + adding` fits the entitlements (for counts taken under a lock). */
export function assertRoom(ent: TEntitlements, limit: TLimitKey, used: number, adding = 1): void {
  const max = ent.limits[limit] as number | null;
  if (max !== null && used + adding > max) throw planLimitError(limit, used, max, ent.plan);
}

export interface TLimitsDeps {
  store: TLimitsStore;
  redis: Redis;
  /** The app's Redis key prefix (REDIS_PREFIX). */
  prefix: string;
  /** How long a billing state is cached in Redis (default 60 s); `invalidate` drops it at once. */
  stateCacheSeconds?: number;
  now?: () => Date;
}

export type TLimits = ReturnType<typeof createLimits>;

/** Counters outlive their month by a week, so a late reconcile or page still finds them. */
const COUNTER_GRACE_S = 7 * 24 * 3600;

// One round trip when a conversation starts: the cached billing state, and the month's counter taken only when it
// exists (a missing counter is first rebuilt from Postgres, then taken).
const ADMIT_SCRIPT = `
local state = redis.call('GET', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then return {state or false, redis.call('INCR', KEYS[2])} end
return {state or false, -1}`;

function reviveState(json: string): TBillingState {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const date = (v: unknown) => (typeof v === 'string' ? new Date(v) : null);
  return {
    ...(raw as unknown as TBillingState),
    trialEndsAt: date(raw.trialEndsAt),
    pastDueSince: date(raw.pastDueSince),
    currentPeriodEnd: date(raw.currentPeriodEnd),
  };
}

/**
 * THE answer to "what may this organization do now": entitlements (plan + billing state + clock) combined with
 * usage. Counts that are cheap in Postgres (projects, seats, chat apps, storage) are read there when asked; the
 * monthly meters live in Redis counters keyed by organization and month, rebuilt from Postgres when missing and
 * reconciled by the worker's sweep, so starting a conversation costs Redis only.
 */
/**
 * An organization's cached billing state and monthly counters. Read and written together (MGET, MULTI, the admission
 * script), so on Redis Cluster they share the organization's slot: its id is their hash tag.
 */
export function limitsRedisKeys(prefix: string) {
  return {
    state: (org: string) => `${prefix}:billing:state:{${org}}`,
    counter: (org: string, period: Pick<TUsagePeriod, 'key'>, meter: 'conversations' | 'aiReplies' | 'aiTokens') =>
      `${prefix}:usage:{${org}}:${period.key}:${meter}`,
  };
}

export function createLimits(deps: TLimitsDeps) {
  const { store, redis, prefix } = deps;
  const now = deps.now ?? (() => new Date());
  const stateTtl = deps.stateCacheSeconds ?? 60;
  const { state: stateKey, counter: counterKey } = limitsRedisKeys(prefix);
  const counterTtl = (period: TUsagePeriod, at: Date) =>
    Math.max(60, Math.ceil((period.resetsAt.getTime() - at.getTime()) / 1000) + COUNTER_GRACE_S);

  async function billingState(organizationId: string): Promise<TBillingState> {
    const cached = await redis.get(stateKey(organizationId));
    if (cached) return reviveState(cached);
    return cacheState(organizationId);
  }

  async function cacheState(organizationId: string): Promise<TBillingState> {
    const state = await store.loadBillingState(organizationId);
    await redis.set(stateKey(organizationId), JSON.stringify(state), 'EX', stateTtl);
    return state;
  }

  async function entitlements(organizationId: string): Promise<TEntitlements> {
    return entitlementsFor(await billingState(organizationId), now());
  }

  /** A month counter, rebuilt from Postgres when Redis does not have it (first use, eviction, restarted Redis). */
  async function readCounter(key: string, period: TUsagePeriod, load: () => Promise<number>): Promise<number> {
    const v = await redis.get(key);
    if (v !== null) return Number(v);
    const counted = await load();
    await redis.set(key, String(counted), 'EX', counterTtl(period, now()), 'NX');
    return Number((await redis.get(key)) ?? counted);
  }

  async function conversationsUsed(organizationId: string, period: TUsagePeriod): Promise<number> {
    return readCounter(counterKey(organizationId, period, 'conversations'), period, () =>
      store.countConversationsSince(organizationId, period.start),
    );
  }

  async function aiUsed(organizationId: string, period: TUsagePeriod): Promise<{ replies: number; tokens: number }> {
    const [r, t] = await redis.mget(
      counterKey(organizationId, period, 'aiReplies'),
      counterKey(organizationId, period, 'aiTokens'),
    );
    if (r !== null && r !== undefined && t !== null && t !== undefined)
      return { replies: Number(r), tokens: Number(t) };
    const usage = await store.getAiUsage(organizationId, period.key);
    await setAiCounters(organizationId, period, usage, 'NX');
    return usage;
  }

  async function setAiCounters(
    organizationId: string,
    period: TUsagePeriod,
    usage: { replies: number; tokens: number },
    mode?: 'NX',
  ): Promise<void> {
    const ttl = counterTtl(period, now());
    const m = redis.multi();
    for (const [meter, value] of [
      ['aiReplies', usage.replies],
      ['aiTokens', usage.tokens],
    ] as const) {
      if (mode) m.set(counterKey(organizationId, period, meter), String(value), 'EX', ttl, mode);
      else m.set(counterKey(organizationId, period, meter), String(value), 'EX', ttl);
    }
    await m.exec();
  }

  async function used(organizationId: string, limit: TLimitKey, projectId?: string): Promise<number> {
    const period = usagePeriod(now());
    switch (limit) {
      case 'projects':
        return store.countActiveProjects(organizationId);
      case 'seats':
        return store.countSeats(organizationId, now());
      case 'chatAppsPerProject':
        return projectId
          ? store.countActiveChatApps(organizationId, projectId)
          : store.maxActiveChatApps(organizationId);
      case 'conversationsPerMonth':
        return conversationsUsed(organizationId, period);
      case 'aiRepliesPerMonth':
        return (await aiUsed(organizationId, period)).replies;
      case 'aiTokensPerMonth':
        return (await aiUsed(organizationId, period)).tokens;
      case 'storageBytes':
        return store.storageUsedBytes(organizationId);
    }
  }

  /** May the organization add `adding` more of `limit` (default 1; chat apps need the project)? */
  async function checkLimit(
    organizationId: string,
    limit: TLimitKey,
    opts: { adding?: number; projectId?: string } = {},
  ): Promise<TLimitCheck> {
    const adding = opts.adding ?? 1;
    const [ent, current] = await Promise.all([
      entitlements(organizationId),
      used(organizationId, limit, opts.projectId),
    ]);
    const max = ent.limits[limit] as number | null;
    return { limit, allowed: max === null || current + adding <= max, used: current, adding, max, plan: ent.plan };
  }

  /** checkLimit that refuses with `planLimitError`. Counts outside any lock: use `assertRoom` under one for writes. */
  async function assertWithinLimit(
    organizationId: string,
    limit: TLimitKey,
    opts: { adding?: number; projectId?: string } = {},
  ): Promise<TLimitCheck> {
    const check = await checkLimit(organizationId, limit, opts);
    if (check.allowed || check.max === null) return check;
    throw planLimitError(limit, check.used, check.max, check.plan);
  }

  async function getOrganizationAllowance(organizationId: string): Promise<TOrganizationAllowance> {
    const at = now();
    const period = usagePeriod(at);
    const ent = entitlementsFor(await billingState(organizationId), at);
    const [projects, seats, chatApps, conversations, ai, storage] = await Promise.all([
      store.countActiveProjects(organizationId),
      store.countSeats(organizationId, at),
      store.maxActiveChatApps(organizationId),
      conversationsUsed(organizationId, period),
      aiUsed(organizationId, period),
      store.storageUsedBytes(organizationId),
    ]);
    const l = ent.limits;
    return {
      organizationId,
      entitlements: ent,
      period,
      meters: {
        projects: { used: projects, max: l.projects },
        seats: { used: seats, max: l.seats },
        chatAppsPerProject: { used: chatApps, max: l.chatAppsPerProject },
        conversationsPerMonth: { used: conversations, max: l.conversationsPerMonth },
        aiRepliesPerMonth: { used: ai.replies, max: l.aiRepliesPerMonth },
        aiTokensPerMonth: { used: ai.tokens, max: l.aiTokensPerMonth },
        storageBytes: { used: storage, max: l.storageBytes },
      },
      apiRequestsPerMinute: l.apiRequestsPerMinute,
      retentionDays: l.retentionDays,
      showBranding: l.showBranding,
    };
  }

  /**
   * A conversation is about to start (realtime, the visitor's first message): takes one from the month's counter in
   * the same Redis round trip that reads the cached plan. `overQuota` when it is beyond the plan's monthly quota;
   * `settle(false)` gives the count back when no conversation was created after all (another tab had one open).
   */
  async function admitConversation(organizationId: string): Promise<{
    overQuota: boolean;
    used: number;
    max: number | null;
    plan: TPlanId;
    settle(created: boolean): Promise<void>;
  }> {
    const at = now();
    const period = usagePeriod(at);
    const key = counterKey(organizationId, period, 'conversations');
    const [cached, taken] = (await redis.eval(ADMIT_SCRIPT, 2, stateKey(organizationId), key)) as [
      string | null,
      number,
    ];
    let n = taken;
    if (n < 0) {
      await conversationsUsed(organizationId, period);
      n = await redis.incr(key);
    }
    const state = cached ? reviveState(cached) : await cacheState(organizationId);
    const ent = entitlementsFor(state, at);
    const max = ent.limits.conversationsPerMonth;
    return {
      overQuota: max !== null && n > max,
      used: n,
      max,
      plan: ent.plan,
      async settle(created) {
        if (!created) await redis.decr(key);
      },
    };
  }

  /** Before an AI reply (worker): within this month's replies and tokens? `tokens` = what the reply may spend. */
  async function checkAiAllowance(
    organizationId: string,
    opts: { tokens?: number } = {},
  ): Promise<{ allowed: boolean; replies: TMeter; tokens: TMeter; plan: TPlanId }> {
    const period = usagePeriod(now());
    const [ent, usage] = await Promise.all([entitlements(organizationId), aiUsed(organizationId, period)]);
    const replies = { used: usage.replies, max: ent.limits.aiRepliesPerMonth };
    const tokens = { used: usage.tokens, max: ent.limits.aiTokensPerMonth };
    const allowed = replies.used + 1 <= replies.max && tokens.used + (opts.tokens ?? 0) <= tokens.max;
    return { allowed, replies, tokens, plan: ent.plan };
  }

  /** After an AI reply: durable in Postgres first, then the Redis counters take the month's totals. */
  async function recordAiUsage(organizationId: string, add: { replies: number; tokens: number }): Promise<void> {
    const period = usagePeriod(now());
    const totals = await store.addAiUsage(organizationId, period.key, add);
    await setAiCounters(organizationId, period, totals);
  }

  /** The per-key request budget of the REST API (per minute). */
  async function apiRequestsPerMinute(organizationId: string): Promise<number> {
    return (await entitlements(organizationId)).limits.apiRequestsPerMinute;
  }

  /** Attachment bytes the organization may store (realtime uploads, worker's inbound files). */
  async function storageQuotaFor(organizationId: string): Promise<number> {
    return (await entitlements(organizationId)).limits.storageBytes;
  }

  /** The worker's periodic pass (and tests): sets the month's Redis counters to what Postgres says. */
  async function reconcile(organizationId: string): Promise<void> {
    const at = now();
    const period = usagePeriod(at);
    const [conversations, ai] = await Promise.all([
      store.countConversationsSince(organizationId, period.start),
      store.getAiUsage(organizationId, period.key),
    ]);
    await redis.set(
      counterKey(organizationId, period, 'conversations'),
      String(conversations),
      'EX',
      counterTtl(period, at),
    );
    await setAiCounters(organizationId, period, ai);
  }

  /** After a billing change (webhook, tests): the next question reads the state from Postgres. */
  async function invalidate(organizationId: string): Promise<void> {
    await redis.del(stateKey(organizationId));
  }

  return {
    entitlements,
    checkLimit,
    assertWithinLimit,
    getOrganizationAllowance,
    admitConversation,
    checkAiAllowance,
    recordAiUsage,
    apiRequestsPerMinute,
    storageQuotaFor,
    reconcile,
    invalidate,
  };
}
