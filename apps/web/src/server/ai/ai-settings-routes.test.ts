// The AI settings route against real Postgres and Redis: the project's monthly budget is bounded by the plan's AI
// allowance (a figure beyond it is refused naming the field and the plan; one left out takes the default within the
// plan), and the page data shows the budget as it applies with the plan's figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TPlanId } from '@pocketping/billing';
import { getProjectAiRow } from '@pocketping/db';
import { setupWebTestEnv, type TWebTestEnv } from '../testing/web-test-env';
import type * as TAiRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/ai/route';

let env: TWebTestEnv;
let route: typeof TAiRoute;
let orgId: string;
let projectId: string;
let admin: string;

beforeAll(async () => {
  env = await setupWebTestEnv();
  route = await import('../../app/api/app/orgs/[orgId]/projects/[projectId]/ai/route');
  const owner = await env.createUser();
  orgId = (await env.createOrg(owner.id)).id;
  projectId = (await env.createProject(orgId)).id;
  admin = await env.sessionCookie(owner.id);
});
afterAll(async () => {
  await env?.close();
});

async function setPlan(plan: TPlanId) {
  const { db, limits } = await env.app();
  await db.organizationBilling.upsert({
    where: { organizationId: orgId },
    create: { organizationId: orgId, plan, status: 'active' },
    update: { plan, status: 'active' },
  });
  await limits.invalidate(orgId);
}

const put = (body: unknown) =>
  env.call(route.PUT, {
    method: 'PUT',
    path: `/api/app/orgs/${orgId}/projects/${projectId}/ai`,
    params: { orgId, projectId },
    cookie: admin,
    body,
  });
const get = () =>
  env.call(route.GET, {
    path: `/api/app/orgs/${orgId}/projects/${projectId}/ai`,
    params: { orgId, projectId },
    cookie: admin,
  });

describe('AI settings within the plan', () => {
  it('a budget beyond the plan is refused with a field error; within it is saved', async () => {
    await setPlan('starter'); // 500 replies, 1,000,000 tokens a month
    const over = await put({ enabled: true, monthlyBudget: { maxReplies: 501, maxTokens: 2_000_000 } });
    expect(over.status).toBe(400);
    expect(over.json.error.details.issues).toEqual([
      { path: 'monthlyBudget.maxReplies', message: 'at most 500 AI replies per month on the starter plan' },
      { path: 'monthlyBudget.maxTokens', message: 'at most 1000000 AI tokens per month on the starter plan' },
    ]);
    const { db } = await env.app();
    expect(await getProjectAiRow(db, orgId, projectId)).toBeNull();

    const ok = await put({ enabled: true, monthlyBudget: { maxReplies: 500, maxTokens: 1_000 } });
    expect(ok.status).toBe(200);
    expect(ok.json.settings.monthlyBudget).toEqual({ maxReplies: 500, maxTokens: 1_000 });
  });

  it('a budget left out takes the default within the plan', async () => {
    await setPlan('starter');
    const res = await put({ enabled: true, assistantName: 'Pip' });
    expect(res.status).toBe(200);
    // Defaults are 1000 replies / 2,000,000 tokens; Starter allows 500 / 1,000,000.
    expect(res.json.settings.monthlyBudget).toEqual({ maxReplies: 500, maxTokens: 1_000_000 });
  });

  it('after a downgrade the page shows the budget as it applies, with the plan figures the form is bounded by', async () => {
    await setPlan('business');
    expect((await put({ enabled: true, monthlyBudget: { maxReplies: 3000, maxTokens: 6_000_000 } })).status).toBe(200);
    await setPlan('free');
    const page = await get();
    expect(page.status).toBe(200);
    expect(page.json.plan).toEqual({ plan: 'free', maxReplies: 0, maxTokens: 0 });
    expect(page.json.settings.monthlyBudget).toEqual({ maxReplies: 0, maxTokens: 0 });
    const again = await put({ enabled: true, monthlyBudget: { maxReplies: 1, maxTokens: 0 } });
    expect(again.status).toBe(400);
    expect(again.json.error.details.issues[0].path).toBe('monthlyBudget.maxReplies');
  });
});
