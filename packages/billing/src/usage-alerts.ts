import { describeLimit, type TLimitKey, type TOrganizationAllowance } from './limits.js';
import { PLANS } from './plans.js';

/** Owners are mailed once per month and limit at each of these shares of the limit. */
export const USAGE_ALERT_THRESHOLDS = [80, 100] as const;
export type TUsageAlertThreshold = (typeof USAGE_ALERT_THRESHOLDS)[number];

/** The limits that can run out without anyone adding something by hand (the others refuse at the click). */
const ALERTED: readonly TLimitKey[] = [
  'conversationsPerMonth',
  'aiRepliesPerMonth',
  'aiTokensPerMonth',
  'storageBytes',
];

export interface TUsageAlert {
  limit: TLimitKey;
  /** The highest threshold reached (an organization jumping from 50 % to 100 % gets the 100 % email only). */
  threshold: TUsageAlertThreshold;
  used: number;
  max: number;
}

/** Which alerts the allowance calls for now (pure; the caller dedupes per month). */
export function usageAlertsDue(allowance: TOrganizationAllowance): TUsageAlert[] {
  const due: TUsageAlert[] = [];
  for (const limit of ALERTED) {
    const { used, max } = allowance.meters[limit];
    if (max === null || max <= 0) continue;
    const share = (used / max) * 100;
    const reached = [...USAGE_ALERT_THRESHOLDS].reverse().find((t) => share >= t);
    if (reached) due.push({ limit, threshold: reached, used, max });
  }
  return due;
}

/** The email for one alert, in the owner's terms. */
export function usageAlertMail(
  alert: TUsageAlert,
  ctx: {
    organizationName: string;
    planId: TOrganizationAllowance['entitlements']['plan'];
    usageUrl: string;
    billingUrl: string;
    resetsAt: Date;
  },
): { subject: string; text: string } {
  const plan = PLANS[ctx.planId].name;
  const what = describeLimit(alert.limit, alert.max);
  const monthly = alert.limit !== 'storageBytes';
  const subject =
    alert.threshold >= 100
      ? `${ctx.organizationName} reached its ${plan} plan limit`
      : `${ctx.organizationName} used ${alert.threshold} % of a ${plan} plan limit`;
  const consequence =
    alert.limit === 'conversationsPerMonth'
      ? 'New conversations beyond it stay in your inbox and are not sent to your chat apps; visitors are asked for their email instead. Visitors already chatting are not affected.'
      : alert.limit === 'storageBytes'
        ? 'Uploads beyond it are refused.'
        : 'AI replies stop until the limit resets; conversations go to your team as usual.';
  const lines = [
    `${ctx.organizationName} has used ${alert.used.toLocaleString('en-US')} of ${what} on the ${plan} plan (${alert.threshold} %).`,
    '',
    alert.threshold >= 100 ? consequence : `At 100 %: ${consequence}`,
    monthly ? `The count starts again on ${ctx.resetsAt.toISOString().slice(0, 10)}.` : '',
    '',
    `Usage: ${ctx.usageUrl}`,
    `Upgrade: ${ctx.billingUrl}`,
  ].filter((l, i, all) => l !== '' || all[i - 1] !== '');
  return { subject, text: lines.join('\n') };
}
