import { usageAlertMail, usageAlertsDue, type TLimits } from '@pocketping/billing';
import {
  applyPlanPauses,
  claimUsageAlert,
  getOrganizationName,
  listOrganizationIdsAfter,
  listOwnerEmails,
  releaseUsageAlert,
  type TDb,
} from '@pocketping/db';
import type { TLogger } from '@pocketping/core';
import { sendBillingNotices } from '../billing/send-billing-notices.js';

/** Sends one email (the worker's SMTP transport; tests pass the fake SMTP's). */
export interface TUsageMailer {
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
}

export interface TUsagePassDeps {
  db: TDb;
  limits: TLimits;
  log: TLogger;
  /** Absent: no usage emails (counters and pauses still run). */
  mailer?: TUsageMailer | null;
  /** The dashboard's base URL, for the links in the emails. */
  webPublicUrl: string;
  /** The clock of the billing emails (tests); default now. */
  now?: () => Date;
}

export interface TUsagePassResult {
  organizations: number;
  paused: number;
  resumed: number;
  emails: number;
}

/**
 * The worker's periodic pass over every organization:
 * 1. the month's Redis counters are set to what Postgres says (a counter lost, evicted or off by a race heals here);
 * 2. projects and chat apps beyond the plan are paused — never deleted — and come back when the plan allows them
 *    (a trial or grace period ends by the clock, with no webhook to react to);
 * 3. owners get the 80 % and 100 % emails, once per month and limit (a `UsageAlert` row is the dedupe; a failed
 *    send gives it back so the next pass retries);
 * 4. the billing emails that are due (a trial's last days, a payment failure whose email failed) — once each.
 * Safe on every worker process at once: each step is idempotent or deduplicated in Postgres.
 */
export async function runUsagePass(deps: TUsagePassDeps, opts: { pageSize?: number } = {}): Promise<TUsagePassResult> {
  const result: TUsagePassResult = { organizations: 0, paused: 0, resumed: 0, emails: 0 };
  let after: string | null = null;
  for (;;) {
    const page = await listOrganizationIdsAfter(deps.db, after, opts.pageSize ?? 200);
    if (page.length === 0) break;
    for (const organizationId of page) {
      try {
        const r = await usageOfOne(deps, organizationId);
        result.paused += r.paused;
        result.resumed += r.resumed;
        result.emails += r.emails;
      } catch (err) {
        deps.log.warn(
          { tenantId: organizationId, err: err instanceof Error ? err.message : String(err) },
          'usage pass failed for one organization',
        );
      }
      result.organizations += 1;
    }
    after = page[page.length - 1]!;
  }
  return result;
}

async function usageOfOne(
  deps: TUsagePassDeps,
  organizationId: string,
): Promise<{ paused: number; resumed: number; emails: number }> {
  await deps.limits.reconcile(organizationId);
  const entitlements = await deps.limits.entitlements(organizationId);
  const pauses = await applyPlanPauses(deps.db, organizationId, {
    projects: entitlements.limits.projects,
    chatAppsPerProject: entitlements.limits.chatAppsPerProject,
  });
  const paused = pauses.pausedProjects.length + pauses.pausedChatApps.length;
  const resumed = pauses.resumedProjects.length + pauses.resumedChatApps.length;
  if (paused + resumed > 0)
    deps.log.info({ tenantId: organizationId, plan: entitlements.plan, ...pauses }, 'plan pauses applied');

  let emails = 0;
  if (!deps.mailer) return { paused, resumed, emails };
  emails += await sendBillingNotices(
    {
      db: deps.db,
      log: deps.log,
      mailer: deps.mailer,
      webPublicUrl: deps.webPublicUrl,
      ...(deps.now ? { now: deps.now } : {}),
    },
    organizationId,
  );
  const allowance = await deps.limits.getOrganizationAllowance(organizationId);
  const due = usageAlertsDue(allowance);
  if (due.length === 0) return { paused, resumed, emails };
  const [organizationName, owners] = await Promise.all([
    getOrganizationName(deps.db, organizationId),
    listOwnerEmails(deps.db, organizationId),
  ]);
  const base = deps.webPublicUrl.replace(/\/+$/, '');
  for (const alert of due) {
    const key = { month: allowance.period.key, limit: alert.limit, threshold: alert.threshold };
    if (!(await claimUsageAlert(deps.db, organizationId, key))) continue;
    const mail = usageAlertMail(alert, {
      organizationName,
      planId: allowance.entitlements.plan,
      usageUrl: `${base}/app/o/${organizationId}/usage`,
      billingUrl: `${base}/app/o/${organizationId}/billing`,
      resetsAt: allowance.period.resetsAt,
    });
    try {
      for (const to of owners) await deps.mailer.send({ to, ...mail });
      emails += 1;
    } catch (err) {
      await releaseUsageAlert(deps.db, organizationId, key);
      deps.log.warn(
        { tenantId: organizationId, limit: alert.limit, err: err instanceof Error ? err.message : String(err) },
        'usage email failed; retried on the next pass',
      );
    }
  }
  return { paused, resumed, emails };
}
