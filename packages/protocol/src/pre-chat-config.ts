import { z } from 'zod';

/** One extra question of the pre-chat form (email and name are built in). */
export const ZPreChatField = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'field names are letters, digits and _'),
  label: z.string().min(1).max(120),
  type: z.enum(['text', 'email', 'tel', 'textarea']).default('text'),
  required: z.boolean().default(false),
});
export type TPreChatField = z.infer<typeof ZPreChatField>;

/** The pre-chat form as the project configures it and the widget renders it. */
export const ZPreChatConfig = z.object({
  enabled: z.boolean().default(false),
  /** 'before': the form gates the first message; 'after': it is offered once the first message is sent. */
  mode: z.enum(['before', 'after']).default('before'),
  emailRequired: z.boolean().default(true),
  askName: z.boolean().default(true),
  fields: z.array(ZPreChatField).max(10).default([]),
});
export type TPreChatConfig = z.infer<typeof ZPreChatConfig>;
