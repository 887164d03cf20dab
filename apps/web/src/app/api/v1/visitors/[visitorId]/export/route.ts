// GET /api/v1/visitors/:visitorId/export — everything stored about the visitor (GDPR access)
import { exportVisitorOperation } from '~/server/api-v1/operations/visitors';

export const GET = exportVisitorOperation;
