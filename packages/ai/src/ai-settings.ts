import { z } from 'zod';

/**
 * A project's AI fallback settings, as the dashboard edits them and the worker reads them. Every field has a default,
 * so `ZAiSettings.parse({})` is a complete, switched-off configuration.
 */
export const ZAiSettings = z.strictObject({
  enabled: z.boolean().default(false),
  /** How long a visitor message waits for a human before the AI answers; 0 = at once. */
  takeoverDelaySeconds: z.number().int().min(0).max(3600).default(60),
  /** Outside the project's office hours the AI answers without waiting for the delay. */
  answerAtOnceOutsideOfficeHours: z.boolean().default(true),
  assistantName: z.string().trim().min(1).max(60).default('Assistant'),
  avatarUrl: z
    .url({ protocol: /^https$/, hostname: z.regexes.domain })
    .max(2048)
    .optional(),
  /** The owner's words on tone and what not to promise; they go into the system prompt, so they are bounded. */
  instructions: z.string().trim().max(2000).default(''),
  /** Any chat-completions model id of the configured provider (OpenAI or a compatible server). */
  model: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, 'must be a model id such as gpt-4o-mini')
    .default('gpt-4o-mini'),
  /** Caps one answer's length (and cost); the widget and the chat apps show short answers best. */
  maxOutputTokens: z.number().int().min(50).max(4000).default(500),
  /** Per calendar month; the plan's allowance bounds these where the settings are saved. 0 = no AI replies. */
  monthlyBudget: z
    .strictObject({
      maxReplies: z.number().int().min(0).max(1_000_000).default(1000),
      maxTokens: z.number().int().min(0).max(1_000_000_000).default(2_000_000),
    })
    .prefault({}),
});
export type TAiSettings = z.infer<typeof ZAiSettings>;
/** What a form or API sends: every field optional. */
export type TAiSettingsInput = z.input<typeof ZAiSettings>;

export const DEFAULT_AI_SETTINGS: TAiSettings = ZAiSettings.parse({});
