import { z } from 'zod';

/** The part of a Slack message event the bridge reads; unknown fields pass through untouched. */
const ZSlackMessage = z.looseObject({
  type: z.string().optional(),
  subtype: z.string().optional(),
  user: z.string().max(40).optional(),
  bot_id: z.string().max(40).optional(),
  text: z.string().max(50_000).optional(),
  ts: z.string().max(40).optional(),
  thread_ts: z.string().max(40).optional(),
  user_profile: z.looseObject({ display_name: z.string().optional(), real_name: z.string().optional(), name: z.string().optional() }).optional(),
});

const ZSlackEvent = ZSlackMessage.extend({
  type: z.string(),
  channel: z.string().max(40).optional(),
  event_ts: z.string().optional(),
  /** message_changed: the message as it is now. */
  message: ZSlackMessage.optional(),
  /** message_changed / message_deleted: the message as it was (carries thread_ts of a deleted reply). */
  previous_message: ZSlackMessage.optional(),
  /** message_deleted: the ts of the message that was deleted. */
  deleted_ts: z.string().max(40).optional(),
});

/** An Events API `event_callback` envelope (HTTP body, or a Socket Mode envelope's payload). */
export const ZSlackEventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: z.string().max(40),
  api_app_id: z.string().max(40).optional(),
  event_id: z.string().min(1).max(100),
  event_time: z.number().optional(),
  event: ZSlackEvent,
});
export type TSlackEventCallback = z.infer<typeof ZSlackEventCallback>;

export const ZSlackUrlVerification = z.object({ type: z.literal('url_verification'), challenge: z.string().min(1).max(500) });
