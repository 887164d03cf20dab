import type { TBillingState } from './billing-state.js';
import { PAST_DUE_GRACE_DAYS, PLANS } from './plans.js';

const DAY_MS = 24 * 3600 * 1000;
/** The trial-ending email goes out this long before the trial ends (Stripe's trial_will_end comes as early). */
export const TRIAL_ENDING_NOTICE_DAYS = 3;

/** A billing email that is due: its kind and the occurrence it is about (one email per organization and occurrence). */
export interface TBillingNotice {
  kind: 'payment_failed' | 'trial_ending';
  /** The past-due episode's start, or the trial's end (ISO): a new failure episode or a new trial is a new email. */
  occurrence: string;
}

/**
 * The billing emails due for a billing state at `now`: `payment_failed` while the subscription is past_due (once per
 * episode: keyed on when it became past due), `trial_ending` in the last TRIAL_ENDING_NOTICE_DAYS of a trial, Stripe's
 * or the card-less one (once per trial end); `trialWillEnd` = Stripe just said so (its trial_will_end event, sent that
 * long before the end by Stripe's clock). Pure, so the worker's job and its periodic pass agree.
 */
export function billingNoticesDue(
  state: TBillingState,
  now: Date,
  opts: { trialWillEnd?: boolean } = {},
): TBillingNotice[] {
  const due: TBillingNotice[] = [];
  if (state.status === 'past_due' && state.pastDueSince)
    due.push({ kind: 'payment_failed', occurrence: state.pastDueSince.toISOString() });
  if (state.status === 'trialing' && state.trialEndsAt) {
    const left = state.trialEndsAt.getTime() - now.getTime();
    if (opts.trialWillEnd || (left > 0 && left <= TRIAL_ENDING_NOTICE_DAYS * DAY_MS))
      due.push({ kind: 'trial_ending', occurrence: state.trialEndsAt.toISOString() });
  }
  return due;
}

/** The email of one billing notice, in the owner's terms. */
export function billingNoticeMail(
  notice: TBillingNotice,
  state: TBillingState,
  ctx: {
    organizationName: string;
    /** Opens the Stripe Customer Portal after sign-in (the billing page's "Manage billing"). */
    portalUrl: string;
    billingUrl: string;
    /** Whether the organization has a card on file with Stripe (a card-less trial has none). */
    hasCustomer: boolean;
  },
): { subject: string; text: string } {
  const plan = PLANS[state.plan].name;
  const day = (d: Date) => d.toISOString().slice(0, 10);
  if (notice.kind === 'payment_failed') {
    const graceEnds = new Date(new Date(notice.occurrence).getTime() + PAST_DUE_GRACE_DAYS * DAY_MS);
    return {
      subject: `Payment failed for ${ctx.organizationName}`,
      text: [
        `We could not charge the card on file for ${ctx.organizationName}'s ${plan} plan.`,
        '',
        `Your plan stays active until ${day(graceEnds)}. Update your card before then, or ${ctx.organizationName} moves to the Free plan's limits (nothing is deleted).`,
        '',
        `Update your card: ${ctx.portalUrl}`,
      ].join('\n'),
    };
  }
  const ends = new Date(notice.occurrence);
  const action = ctx.hasCustomer
    ? `To keep ${plan} after that, check your card: ${ctx.portalUrl}`
    : `To keep ${plan} after that, choose a plan: ${ctx.billingUrl}`;
  return {
    subject: `${ctx.organizationName}'s ${plan} trial ends on ${day(ends)}`,
    text: [
      `The ${plan} trial of ${ctx.organizationName} ends on ${day(ends)}.`,
      '',
      action,
      '',
      "Without a paid plan the Free plan's limits apply; nothing is deleted.",
    ].join('\n'),
  };
}
