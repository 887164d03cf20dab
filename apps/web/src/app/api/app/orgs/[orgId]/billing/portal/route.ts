// POST /api/app/orgs/:orgId/billing/portal — a Stripe Customer Portal session; answers its URL (owners only)
import { orgRoute } from '~/server/tenancy';
import { openPortal } from '~/server/billing/billing-service';

export const POST = orgRoute({ role: 'owner' }, async ({ app, organizationId }) => openPortal(app, organizationId));
