import { z } from 'zod';

const ZId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'not an id');

/** Path params of /api/app/orgs/[orgId]/projects/[projectId]/bridges/… */
export const ZProjectParams = z.object({ orgId: ZId, projectId: ZId });
export const ZConnectionParams = ZProjectParams.extend({ connectionId: ZId });
export const ZSetupId = z
  .string()
  .min(10)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'not a setup id');
export const ZDiscordId = z.string().regex(/^\d{17,20}$/, 'not a Discord id');
