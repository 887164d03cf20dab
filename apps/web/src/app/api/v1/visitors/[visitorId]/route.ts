// GET /api/v1/visitors/:visitorId — one visitor; PATCH — identity fields and metadata; DELETE — GDPR erase
import { deleteVisitor, getVisitor, updateVisitor } from '~/server/api-v1/operations/visitors';

export const GET = getVisitor;
export const PATCH = updateVisitor;
export const DELETE = deleteVisitor;
