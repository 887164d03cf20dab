import { z } from 'zod';

/** Sealed at rest inside BridgeConnection.credentials. */
export const ZTelegramCredentials = z.object({
  botToken: z.string().regex(/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/, 'not a Telegram bot token (expected "123456:ABC…")'),
  /** The secret_token given to setWebhook; Telegram echoes it in X-Telegram-Bot-Api-Secret-Token. */
  webhookSecret: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/)
    .optional(),
});
export type TTelegramCredentials = z.infer<typeof ZTelegramCredentials>;
