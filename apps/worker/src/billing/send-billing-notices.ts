import { billingNoticeMail, billingNoticesDue } from '@pocketping/billing';
import {
  claimBillingNotice,
  getOrganizationName,
  getStripeCustomerId,
  listOwnerEmails,
  loadBillingState,
  releaseBillingNotice,
  type TDb,
} from '@pocketping/db';
import type { TLogger } from '@pocketping/core';

export interface TBillingNoticeDeps {
  db: TDb;
  log: TLogger;
  /** The worker's SMTP transport (the usage emails' one). */
  mailer: { send(mail: { to: string; subject: string; text: string }): Promise<void> };
  /** The dashboard's base URL, for the links in the emails. */
  webPublicUrl: string;
  now?: () => Date;
}

/**
 * Sends the organization's due billing emails (payment failed with the portal link, trial ending) to its owners, each
 * once per occurrence: a `BillingNotice` row is claimed first (any number of worker processes and retries send one
 * email), and given back when the send fails so the next attempt — the usage pass, every few minutes — sends it.
 * Called by the billing job right after a Stripe event is applied, and by the usage pass for what the clock brings
 * (a card-less trial's last days) or a send that failed. Returns how many emails went out.
 */
export async function sendBillingNotices(
  deps: TBillingNoticeDeps,
  organizationId: string,
  opts: { trialWillEnd?: boolean } = {},
): Promise<number> {
  const state = await loadBillingState(deps.db, organizationId);
  if (!state) return 0;
  const due = billingNoticesDue(state, (deps.now ?? (() => new Date()))(), opts);
  if (due.length === 0) return 0;
  const [organizationName, owners, customerId] = await Promise.all([
    getOrganizationName(deps.db, organizationId),
    listOwnerEmails(deps.db, organizationId),
    getStripeCustomerId(deps.db, organizationId),
  ]);
  const billingUrl = `${deps.webPublicUrl.replace(/\/+$/, '')}/app/o/${encodeURIComponent(organizationId)}/billing`;
  let sent = 0;
  for (const notice of due) {
    if (!(await claimBillingNotice(deps.db, organizationId, notice))) continue;
    const mail = billingNoticeMail(notice, state, {
      organizationName,
      portalUrl: `${billingUrl}?manage=1`,
      billingUrl,
      hasCustomer: customerId !== null,
    });
    try {
      for (const to of owners) await deps.mailer.send({ to, ...mail });
      sent += 1;
      deps.log.info({ tenantId: organizationId, kind: notice.kind }, 'billing email sent');
    } catch (err) {
      await releaseBillingNotice(deps.db, organizationId, notice);
      deps.log.warn(
        { tenantId: organizationId, kind: notice.kind, err: err instanceof Error ? err.message : String(err) },
        'billing email failed; retried by the usage pass',
      );
    }
  }
  return sent;
}
