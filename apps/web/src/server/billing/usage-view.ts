import {
  LIMIT_KEYS,
  PLANS,
  type TLimitKey,
  type TLimits,
  type TOrganizationAllowance,
  type TPlanId,
} from '@pocketping/billing';
import { listProjectUsage, type TDb } from '@pocketping/db';

/** One meter of the usage page, ready to render (no Date objects: the same shape goes out as JSON). */
export interface TUsageMeterView {
  limit: TLimitKey;
  label: string;
  used: number;
  max: number | null;
  monthly: boolean;
  /** used / max in %, null when unlimited. */
  percent: number | null;
  state: 'ok' | 'warn' | 'over';
}

export interface TUsageView {
  plan: TPlanId;
  planName: string;
  subscribedPlan: TPlanId;
  reason: TOrganizationAllowance['entitlements']['reason'];
  warning: boolean;
  graceEndsAt: string | null;
  trialEndsAt: string | null;
  period: { key: string; resetsAt: string };
  meters: TUsageMeterView[];
  projects: { id: string; name: string; paused: boolean; chatApps: number; pausedChatApps: number }[];
  apiRequestsPerMinute: number;
  retentionDays: number | null;
  showBranding: boolean;
}

const LABELS: Record<TLimitKey, string> = {
  projects: 'Projects',
  seats: 'Seats (members and pending invitations)',
  chatAppsPerProject: 'Chat apps in one project (most used)',
  conversationsPerMonth: 'Conversations this month',
  aiRepliesPerMonth: 'AI replies this month',
  aiTokensPerMonth: 'AI tokens this month',
  storageBytes: 'File storage',
};
const MONTHLY: readonly TLimitKey[] = ['conversationsPerMonth', 'aiRepliesPerMonth', 'aiTokensPerMonth'];

function meter(limit: TLimitKey, used: number, max: number | null): TUsageMeterView {
  const percent = max === null ? null : max === 0 ? (used > 0 ? 100 : 0) : Math.round((used / max) * 100);
  const state =
    percent === null ? 'ok' : max !== null && used >= max && max > 0 ? 'over' : percent >= 80 ? 'warn' : 'ok';
  return { limit, label: LABELS[limit], used, max, monthly: MONTHLY.includes(limit), percent, state };
}

/** Everything the usage page and the org banner show, for one organization (the caller checked membership). */
export async function loadUsageView(app: { db: TDb; limits: TLimits }, organizationId: string): Promise<TUsageView> {
  const [allowance, projects] = await Promise.all([
    app.limits.getOrganizationAllowance(organizationId),
    listProjectUsage(app.db, organizationId),
  ]);
  const e = allowance.entitlements;
  return {
    plan: e.plan,
    planName: PLANS[e.plan].name,
    subscribedPlan: e.subscribedPlan,
    reason: e.reason,
    warning: e.warning,
    graceEndsAt: e.graceEndsAt?.toISOString() ?? null,
    trialEndsAt: e.trialEndsAt?.toISOString() ?? null,
    period: { key: allowance.period.key, resetsAt: allowance.period.resetsAt.toISOString() },
    meters: LIMIT_KEYS.map((k) => meter(k, allowance.meters[k].used, allowance.meters[k].max)),
    projects: projects.map((p) => ({
      id: p.id,
      name: p.name,
      paused: p.pausedAt !== null,
      chatApps: p.chatApps,
      pausedChatApps: p.pausedChatApps,
    })),
    apiRequestsPerMinute: allowance.apiRequestsPerMinute,
    retentionDays: allowance.retentionDays,
    showBranding: allowance.showBranding,
  };
}

/** What the org layout's banner says, or null: past due (grace), fallen back to Free, or a monthly limit reached. */
export function bannerOf(view: TUsageView): { kind: 'warn' | 'over'; text: string } | null {
  if (view.reason === 'past_due_grace' && view.graceEndsAt)
    return {
      kind: 'warn',
      text: `Your last payment failed. Your ${view.planName} plan stays active until ${view.graceEndsAt.slice(0, 10)}; update your card to keep it.`,
    };
  if (view.reason === 'past_due_expired' || view.reason === 'unpaid')
    return { kind: 'over', text: 'Your payment did not go through, so your organization is on Free limits now.' };
  if (view.reason === 'trial_ended' && view.meters.some((m) => m.state === 'over'))
    return { kind: 'over', text: 'Your trial has ended and you use more than the Free plan allows.' };
  const over = view.meters.filter((m) => m.state === 'over' && m.monthly);
  if (over.length > 0)
    return {
      kind: 'over',
      text: `${over.map((m) => m.label).join(', ')}: the ${view.planName} plan's limit is reached. New conversations wait in your inbox instead of your chat apps until ${view.period.resetsAt.slice(0, 10)}.`,
    };
  if (view.projects.some((p) => p.paused || p.pausedChatApps > 0))
    return { kind: 'warn', text: 'Some projects or chat apps are paused because your plan allows fewer.' };
  return null;
}
