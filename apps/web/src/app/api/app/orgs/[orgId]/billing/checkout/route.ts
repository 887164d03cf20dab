// POST /api/app/orgs/:orgId/billing/checkout — a Stripe Checkout session for a plan; answers its URL (owners only)
import { z } from 'zod';
import { BILLING_INTERVALS } from '@pocketping/billing';
import { orgRoute } from '~/server/tenancy';
import { startCheckout } from '~/server/billing/billing-service';

const ZBody = z.strictObject({
  plan: z.enum(['starter', 'pro', 'business']),
  interval: z.enum(BILLING_INTERVALS),
});

export const POST = orgRoute({ role: 'owner', body: ZBody }, async ({ app, user, organizationId, body }) =>
  startCheckout(app, organizationId, user.email, body),
);
