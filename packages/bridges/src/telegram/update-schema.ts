import { z } from 'zod';

/** The part of a Telegram Update the bridge reads; unknown fields pass through untouched. */
const ZTelegramMessage = z.looseObject({
  message_id: z.number().int(),
  message_thread_id: z.number().int().optional(),
  is_topic_message: z.boolean().optional(),
  from: z
    .looseObject({
      id: z.number(),
      is_bot: z.boolean(),
      first_name: z.string(),
      last_name: z.string().optional(),
      username: z.string().optional(),
    })
    .optional(),
  chat: z.looseObject({ id: z.number(), type: z.string() }),
  date: z.number().int(),
  text: z.string().max(10_000).optional(),
  caption: z.string().max(10_000).optional(),
  /** Sizes of one photo, smallest first; the last is the original. */
  photo: z
    .array(
      z.looseObject({
        file_id: z.string().max(300),
        file_size: z.number().int().optional(),
        width: z.number(),
        height: z.number(),
      }),
    )
    .max(20)
    .optional(),
  document: z
    .looseObject({
      file_id: z.string().max(300),
      file_name: z.string().max(300).optional(),
      mime_type: z.string().max(200).optional(),
      file_size: z.number().int().optional(),
    })
    .optional(),
});

export const ZTelegramUpdate = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: ZTelegramMessage.optional(),
  edited_message: ZTelegramMessage.optional(),
});
export type TTelegramUpdate = z.infer<typeof ZTelegramUpdate>;

/** An update's update_id (the dedupe key of a delivery), or null when the payload is not a Telegram update. */
export function telegramUpdateId(payload: unknown): string | null {
  const parsed = ZTelegramUpdate.safeParse(payload);
  return parsed.success ? String(parsed.data.update_id) : null;
}
