// GET|POST /api/app/orgs/:orgId/projects/:projectId/bridges/setup/:kind[/:step] — a chat app's setup steps (admin+)
import { setupStepRoute } from '~/server/chat-apps/setup-steps';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = setupStepRoute('GET');
export const POST = setupStepRoute('POST');
