// POST /api/v1/visitors/:visitorId/events — a named event to the visitor's widgets (pushVisitorEvent)
import { pushVisitorEventOperation } from '~/server/api-v1/operations/visitors';

export const POST = pushVisitorEventOperation;
