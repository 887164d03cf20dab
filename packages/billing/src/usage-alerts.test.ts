import { describe, expect, it } from 'vitest';
import { entitlementsFor } from './entitlements.js';
import type { TLimitKey, TMeter, TOrganizationAllowance } from './limits.js';
import { usageAlertMail, usageAlertsDue } from './usage-alerts.js';
import { usagePeriod } from './usage-period.js';

const NOW = new Date('2026-12-07T10:00:00.000Z');

function allowance(meters: Partial<Record<TLimitKey, TMeter>>): TOrganizationAllowance {
  const none = { used: 0, max: null };
  return {
    organizationId: 'org_1',
    entitlements: entitlementsFor(
      {
        organizationId: 'org_1',
        plan: 'free',
        interval: null,
        status: 'none',
        trialEndsAt: null,
        pastDueSince: null,
        currentPeriodEnd: null,
        cancelAtPeriodEnd: false,
      },
      NOW,
    ),
    period: usagePeriod(NOW),
    meters: {
      projects: none,
      seats: none,
      chatAppsPerProject: none,
      conversationsPerMonth: none,
      aiRepliesPerMonth: none,
      aiTokensPerMonth: none,
      storageBytes: none,
      ...meters,
    },
    apiRequestsPerMinute: 60,
    retentionDays: 90,
    showBranding: true,
  };
}

describe('usageAlertsDue', () => {
  it('nothing below 80 %, 80 at 80 %, 100 at the limit and beyond; unlimited and zero limits never alert', () => {
    expect(usageAlertsDue(allowance({ conversationsPerMonth: { used: 79, max: 100 } }))).toEqual([]);
    expect(usageAlertsDue(allowance({ conversationsPerMonth: { used: 80, max: 100 } }))).toEqual([
      { limit: 'conversationsPerMonth', threshold: 80, used: 80, max: 100 },
    ]);
    expect(usageAlertsDue(allowance({ conversationsPerMonth: { used: 140, max: 100 } }))[0]?.threshold).toBe(100);
    expect(usageAlertsDue(allowance({ conversationsPerMonth: { used: 10_000, max: null } }))).toEqual([]);
    expect(usageAlertsDue(allowance({ aiRepliesPerMonth: { used: 0, max: 0 } }))).toEqual([]);
  });

  it('does not mail about limits that refuse at the click (projects, seats, chat apps)', () => {
    expect(usageAlertsDue(allowance({ projects: { used: 1, max: 1 }, seats: { used: 2, max: 2 } }))).toEqual([]);
  });

  it('the email names the plan, the numbers, what happens and where to upgrade', () => {
    const a = allowance({});
    const mail = usageAlertMail(
      { limit: 'conversationsPerMonth', threshold: 100, used: 100, max: 100 },
      {
        organizationName: 'Acme',
        planId: a.entitlements.plan,
        usageUrl: 'https://app.test/app/o/org_1/usage',
        billingUrl: 'https://app.test/app/o/org_1/billing',
        resetsAt: a.period.resetsAt,
      },
    );
    expect(mail.subject).toBe('Acme reached its Free plan limit');
    expect(mail.text).toContain('100 of 100 conversations this month');
    expect(mail.text).toContain('visitors are asked for their email');
    expect(mail.text).toContain('2027-01-01');
    expect(mail.text).toContain('https://app.test/app/o/org_1/billing');
  });
});
