import { z } from 'zod';

/** Sealed at rest inside BridgeConnection.credentials (kind slack). targetId = channel id, targetScope = team id. */
export const ZSlackCredentials = z.object({
  botToken: z.string().regex(/^xoxb-[A-Za-z0-9-]{10,250}$/, 'not a Slack bot token (expected "xoxb-…")'),
  teamId: z.string().regex(/^[TE][A-Z0-9]{2,30}$/, 'not a Slack team id'),
  /** The bot's own user id: its messages come back as events and must not become operator messages. */
  botUserId: z.string().regex(/^[UW][A-Z0-9]{2,30}$/, 'not a Slack user id'),
  botId: z
    .string()
    .regex(/^B[A-Z0-9]{2,30}$/)
    .optional(),
});
export type TSlackCredentials = z.infer<typeof ZSlackCredentials>;
