'use client';

import { useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';

export interface TPricingRow {
  id: 'starter' | 'pro' | 'business';
  name: string;
  monthly: number;
  yearly: number;
  highlights: string[];
}

const usd = (cents: number) =>
  new Intl.NumberFormat('en', { style: 'currency', currency: 'usd', maximumFractionDigits: 0 }).format(cents / 100);

function message(err: unknown): string {
  return err instanceof ApiError ? err.message : 'Something went wrong. Try again.';
}

/**
 * Pricing table with the monthly/yearly toggle (starting on the interval the organization pays); Upgrade opens Stripe
 * Checkout for that plan. "Current plan" marks the plan AND interval being paid: the same plan on the other interval
 * is a switch, done in the Customer Portal like any change of an existing subscription.
 */
export function PricingTable({
  orgId,
  plans,
  currentPlan,
  currentInterval,
  enabled,
}: {
  orgId: string;
  plans: TPricingRow[];
  currentPlan: string;
  /** The interval being paid (null: nothing paid, e.g. the card-less trial). */
  currentInterval: 'monthly' | 'yearly' | null;
  enabled: boolean;
}) {
  const [interval, setInterval] = useState<'monthly' | 'yearly'>(currentInterval ?? 'monthly');
  // The page re-renders when a payment lands (the webhook applied while it was open): follow the new paid interval.
  useEffect(() => {
    if (currentInterval) setInterval(currentInterval);
  }, [currentInterval]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function upgrade(plan: TPricingRow['id'], viaPortal: boolean) {
    setBusy(plan);
    setError(null);
    try {
      const { url } = viaPortal
        ? await api<{ url: string }>(`/api/app/orgs/${orgId}/billing/portal`, { body: {} })
        : await api<{ url: string }>(`/api/app/orgs/${orgId}/billing/checkout`, { body: { plan, interval } });
      window.location.assign(url);
    } catch (err) {
      setError(message(err));
      setBusy(null);
    }
  }
  return (
    <div className="stack">
      <div className="row" role="radiogroup" aria-label="Billing interval">
        {(['monthly', 'yearly'] as const).map((i) => (
          <label key={i} className="row" style={{ gap: '0.35rem' }}>
            <input type="radio" name="interval" value={i} checked={interval === i} onChange={() => setInterval(i)} />
            {i === 'monthly' ? 'Monthly' : 'Yearly (2 months free)'}
          </label>
        ))}
      </div>
      <div className="row" style={{ alignItems: 'stretch' }} data-testid="pricing">
        {plans.map((p) => (
          <div key={p.id} className="card stack" style={{ flex: '1 1 14rem' }} data-plan={p.id}>
            <h3 style={{ margin: 0 }}>{p.name}</h3>
            <p style={{ margin: 0, fontSize: '1.4rem' }}>
              {usd(interval === 'monthly' ? p.monthly : p.yearly)}
              <span className="muted" style={{ fontSize: '0.9rem' }}>
                {interval === 'monthly' ? ' / month' : ' / year'}
              </span>
            </p>
            <ul className="muted" style={{ margin: 0, paddingLeft: '1.1rem' }}>
              {p.highlights.map((h) => (
                <li key={h}>{h}</li>
              ))}
            </ul>
            {currentPlan === p.id && (currentInterval === null || currentInterval === interval) ? (
              <span className="badge ok" style={{ alignSelf: 'flex-start' }} data-testid="current-plan-badge">
                Current plan
              </span>
            ) : currentPlan === p.id ? (
              <button
                type="button"
                className="btn secondary"
                disabled={!enabled || busy !== null}
                onClick={() => void upgrade(p.id, true)}
              >
                {busy === p.id ? 'Opening…' : `Switch to ${interval} billing`}
              </button>
            ) : (
              <button
                type="button"
                className="btn"
                disabled={!enabled || busy !== null}
                onClick={() => void upgrade(p.id, false)}
              >
                {busy === p.id ? 'Opening checkout…' : `Upgrade to ${p.name}`}
              </button>
            )}
          </div>
        ))}
      </div>
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * "Manage billing": opens the Stripe Customer Portal (card, plan switch, cancel, invoices). `openNow`: the page was
 * reached from a billing email's link (`?manage=1`), so the portal opens at once — a portal session is short-lived
 * and cannot sit in an email, this link can.
 */
export function ManageBillingButton({
  orgId,
  enabled,
  openNow = false,
}: {
  orgId: string;
  enabled: boolean;
  openNow?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const opened = useRef(false);
  useEffect(() => {
    if (!openNow || !enabled || opened.current) return;
    opened.current = true;
    void open();
  }, [openNow, enabled]);
  async function open() {
    setBusy(true);
    setError(null);
    try {
      const { url } = await api<{ url: string }>(`/api/app/orgs/${orgId}/billing/portal`, { body: {} });
      window.location.assign(url);
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      <button
        type="button"
        className="btn secondary"
        style={{ alignSelf: 'flex-start' }}
        disabled={!enabled || busy}
        onClick={() => void open()}
      >
        {busy ? 'Opening…' : 'Manage billing'}
      </button>
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Back from Checkout the plan changes when Stripe's webhook has been applied (a second or two): re-render the page
 * until it shows, for at most half a minute.
 */
export function AwaitPlanChange({ waiting }: { waiting: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!waiting) return;
    let n = 0;
    const t = setInterval(() => {
      n += 1;
      if (n > 20) clearInterval(t);
      else router.refresh();
    }, 1500);
    return () => clearInterval(t);
  }, [waiting, router]);
  return null;
}
