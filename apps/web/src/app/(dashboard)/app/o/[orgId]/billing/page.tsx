import type { Metadata } from 'next';
import { PAST_DUE_GRACE_DAYS, PLANS, type TBillingState } from '@pocketping/billing';
import { getContext } from '~/server/context';
import { requirePageMember } from '~/server/page-guard';
import { getBillingOverview } from '~/server/billing/billing-service';
import { AwaitPlanChange, ManageBillingButton, PricingTable, type TPricingRow } from './billing-client';
import { formatDate } from '~/lib/format-date';

export const metadata: Metadata = { title: 'Billing' };
export const dynamic = 'force-dynamic';

const DAY_MS = 24 * 3600 * 1000;
// Billing periods are Stripe's, in UTC: their dates are written in UTC.
const utcDate = (d: Date) => formatDate(d, 'date', { timeZone: 'UTC' });
const money = (cents: number, currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
const limit = (n: number | null, unit: string) =>
  n === null ? `Unlimited ${unit}` : `${n.toLocaleString('en')} ${unit}`;

const STATUS_LABEL: Record<TBillingState['status'], string> = {
  none: 'No subscription',
  trialing: 'Trial',
  active: 'Active',
  past_due: 'Payment failed',
  unpaid: 'Unpaid',
  canceled: 'Canceled',
  incomplete: 'Awaiting payment',
  incomplete_expired: 'Expired',
  paused: 'Paused',
};

const PRICING: TPricingRow[] = (['starter', 'pro', 'business'] as const).map((id) => {
  const p = PLANS[id];
  return {
    id,
    name: p.name,
    monthly: p.prices?.monthly ?? 0,
    yearly: p.prices?.yearly ?? 0,
    highlights: [
      limit(p.limits.projects, 'projects'),
      limit(p.limits.seats, 'seats'),
      limit(p.limits.conversationsPerMonth, 'conversations / month'),
      `${p.limits.aiRepliesPerMonth.toLocaleString('en')} AI replies / month`,
    ],
  };
});

/**
 * Billing (owners only: admins and agents are sent to the forbidden page — the card and invoices are the owner's
 * business). Plan and status come from our database as the last Stripe event left them; invoices live from Stripe.
 */
export default async function BillingPage({
  params,
  searchParams,
}: {
  params: Promise<{ orgId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { orgId } = await params;
  const query = await searchParams;
  const { organization } = await requirePageMember(orgId, 'owner');
  const overview = await getBillingOverview(getContext(), orgId);
  const { billing } = overview;
  const now = Date.now();
  const plan = PLANS[billing.plan];
  const paidPlanActive = billing.interval !== null && (billing.status === 'active' || billing.status === 'trialing');
  const cardlessTrial = billing.status === 'trialing' && billing.interval === null;
  const trialDaysLeft =
    billing.status === 'trialing' && billing.trialEndsAt
      ? Math.max(0, Math.ceil((billing.trialEndsAt.getTime() - now) / DAY_MS))
      : null;
  const trialOver = cardlessTrial && trialDaysLeft === 0;
  const graceEnds = billing.pastDueSince
    ? new Date(billing.pastDueSince.getTime() + PAST_DUE_GRACE_DAYS * DAY_MS)
    : null;
  const checkout = typeof query.checkout === 'string' ? query.checkout : null;

  return (
    <>
      <h1>Billing</h1>
      <AwaitPlanChange waiting={checkout === 'success' && !paidPlanActive} />
      {checkout === 'success' ? (
        <p className="alert success" role="status">
          {paidPlanActive
            ? `Thank you — ${organization.name} is on ${plan.name}.`
            : 'Thank you — your payment went through. Your plan updates in a moment.'}
        </p>
      ) : null}
      {checkout === 'canceled' ? (
        <p className="alert info" role="status">
          Checkout was canceled; nothing was charged.
        </p>
      ) : null}
      {billing.status === 'past_due' ? (
        <p className="alert error" role="alert" data-testid="past-due-banner">
          The last payment failed. Update your card in “Manage billing”
          {graceEnds ? ` before ${utcDate(graceEnds)}` : ''}, or {organization.name} moves to the Free plan.
        </p>
      ) : null}

      <section className="card stack" aria-labelledby="current-title" data-testid="current-plan">
        <h2 id="current-title" style={{ margin: 0, fontSize: '1.1rem' }}>
          Current plan
        </h2>
        <p style={{ margin: 0 }}>
          <strong data-testid="plan-name">{trialOver ? PLANS.free.name : plan.name}</strong>
          {billing.interval ? <span className="muted"> · billed {billing.interval}</span> : null}{' '}
          <span className={`badge ${billing.status === 'past_due' ? 'bad' : 'ok'}`} data-testid="plan-status">
            {trialOver ? 'Trial ended' : STATUS_LABEL[billing.status]}
          </span>
        </p>
        {trialDaysLeft !== null && !trialOver ? (
          <p className="muted" style={{ margin: 0 }} data-testid="trial-left">
            {trialDaysLeft} day{trialDaysLeft === 1 ? '' : 's'} left in your {cardlessTrial ? 'free ' : ''}trial
            {billing.trialEndsAt ? ` (ends ${utcDate(billing.trialEndsAt)})` : ''}.
          </p>
        ) : null}
        {billing.currentPeriodEnd && paidPlanActive ? (
          <p className="muted" style={{ margin: 0 }}>
            {billing.cancelAtPeriodEnd ? 'Ends' : 'Renews'} on {utcDate(billing.currentPeriodEnd)}
            {billing.cancelAtPeriodEnd ? ' — then the Free plan applies.' : '.'}
          </p>
        ) : null}
        {!overview.stripeEnabled ? (
          <p className="alert info" style={{ margin: 0 }}>
            Payments are not set up on this server (STRIPE_SECRET_KEY), so plans cannot be bought here.
          </p>
        ) : null}
        {overview.hasCustomer ? (
          <ManageBillingButton orgId={orgId} enabled={overview.stripeEnabled} openNow={query.manage === '1'} />
        ) : null}
      </section>

      <section className="card stack" aria-labelledby="plans-title">
        <h2 id="plans-title" style={{ margin: 0, fontSize: '1.1rem' }}>
          Plans
        </h2>
        <PricingTable
          orgId={orgId}
          plans={PRICING}
          currentPlan={paidPlanActive || billing.status === 'past_due' ? billing.plan : 'free'}
          currentInterval={paidPlanActive || billing.status === 'past_due' ? billing.interval : null}
          enabled={overview.stripeEnabled}
        />
      </section>

      <section className="card" aria-labelledby="invoices-title">
        <h2 id="invoices-title" style={{ marginTop: 0, fontSize: '1.1rem' }}>
          Invoices
        </h2>
        {overview.invoicesError ? <p className="alert error">{overview.invoicesError}</p> : null}
        {overview.invoices.length === 0 ? (
          <p className="muted">No invoices yet.</p>
        ) : (
          <table className="list" data-testid="invoices">
            <thead>
              <tr>
                <th>Date</th>
                <th>Number</th>
                <th>Amount</th>
                <th>Status</th>
                <th>
                  <span className="sr-only">Link</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.invoices.map((inv) => (
                <tr key={inv.id}>
                  <td>{utcDate(inv.createdAt)}</td>
                  <td>{inv.number ?? '—'}</td>
                  <td>{money(inv.amountDue, inv.currency)}</td>
                  <td>{inv.status ?? '—'}</td>
                  <td>
                    {inv.hostedInvoiceUrl ? (
                      <a href={inv.hostedInvoiceUrl} target="_blank" rel="noopener noreferrer">
                        View invoice
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
