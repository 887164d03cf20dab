import { z } from 'zod';

const ZId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'not an id');

/** Path params of /api/app/orgs/[orgId]/projects/[projectId]/bridges/… */
export const ZProjectParams = z.object({ orgId: ZId, projectId: ZId });
export const ZConnectionParams = ZProjectParams.extend({ connectionId: ZId });
