import { describe, expect, it } from 'vitest';
import { demoProjectKey } from './demo-access';

const demo = 'pk_demo_0123456789';
const other = 'pk_other_tenant_0123';

describe('/demo: which project it may show', () => {
  it('in production, only the demo project: another tenant’s key from the URL is a 404, and no demo project means no page', () => {
    expect(demoProjectKey({ NODE_ENV: 'production', DEMO_PROJECT_KEY: demo }, undefined)).toEqual({ key: demo });
    expect(demoProjectKey({ NODE_ENV: 'production', DEMO_PROJECT_KEY: demo }, demo)).toEqual({ key: demo });
    expect(demoProjectKey({ NODE_ENV: 'production', DEMO_PROJECT_KEY: demo }, other)).toEqual({
      key: null,
      reason: 'not_found',
    });
    expect(demoProjectKey({ NODE_ENV: 'production', DEMO_PROJECT_KEY: demo }, '')).toEqual({
      key: null,
      reason: 'not_found',
    });
    expect(demoProjectKey({ NODE_ENV: 'production', DEMO_PROJECT_KEY: undefined }, undefined)).toEqual({
      key: null,
      reason: 'not_found',
    });
    expect(demoProjectKey({ NODE_ENV: 'production', DEMO_PROJECT_KEY: undefined }, other)).toEqual({
      key: null,
      reason: 'not_found',
    });
    expect(demoProjectKey({ NODE_ENV: 'test', DEMO_PROJECT_KEY: undefined }, other)).toEqual({
      key: null,
      reason: 'not_found',
    });
  });

  it('in development, any project can be previewed, the demo one by default', () => {
    expect(demoProjectKey({ NODE_ENV: 'development', DEMO_PROJECT_KEY: demo }, other)).toEqual({ key: other });
    expect(demoProjectKey({ NODE_ENV: 'development', DEMO_PROJECT_KEY: demo }, undefined)).toEqual({ key: demo });
    expect(demoProjectKey({ NODE_ENV: 'development', DEMO_PROJECT_KEY: undefined }, undefined)).toEqual({
      key: null,
      reason: 'no_demo',
    });
  });
});
