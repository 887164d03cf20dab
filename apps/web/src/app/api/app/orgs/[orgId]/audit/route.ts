// GET /api/app/orgs/:orgId/audit — the audit log as CSV (owners and admins), with the audit page's filters
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { auditCsvStream, ZAuditFilter } from '~/server/privacy/audit-log';

const ZParams = z.object({ orgId: z.string().min(1).max(64) });

export const GET = orgRoute(
  { role: 'admin', params: ZParams, query: ZAuditFilter },
  async ({ app, organizationId, query }) =>
    new Response(auditCsvStream(app.db, organizationId, query), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="audit-${organizationId}.csv"`,
        'cache-control': 'no-store',
      },
    }),
);
