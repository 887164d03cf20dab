// GET /api/app/orgs/:orgId/billing — plan, status, trial and invoices of the organization (owners only)
import { orgRoute } from '~/server/tenancy';
import { getBillingOverview } from '~/server/billing/billing-service';

export const GET = orgRoute({ role: 'owner' }, async ({ app, organizationId }) =>
  getBillingOverview(app, organizationId),
);
