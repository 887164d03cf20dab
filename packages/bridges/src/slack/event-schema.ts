import { z } from 'zod';

/** A file shared in a message (subtype file_share): downloaded with the bot token from url_private(_download). */
export const ZSlackFile = z.looseObject({
  id: z.string().max(40),
  name: z.string().max(500).optional(),
  title: z.string().max(500).optional(),
  mimetype: z.string().max(200).optional(),
  size: z.number().int().nonnegative().optional(),
  url_private: z.string().max(2_000).optional(),
  url_private_download: z.string().max(2_000).optional(),
  /** 'hidden_by_limit', 'tombstone' (deleted), 'external', … — only hosted files can be fetched. */
  mode: z.string().max(40).optional(),
});
export type TSlackFile = z.infer<typeof ZSlackFile>;

/** The part of a Slack message event the bridge reads; unknown fields pass through untouched. */
const ZSlackMessage = z.looseObject({
  type: z.string().optional(),
  subtype: z.string().optional(),
  user: z.string().max(40).optional(),
  bot_id: z.string().max(40).optional(),
  text: z.string().max(50_000).optional(),
  ts: z.string().max(40).optional(),
  thread_ts: z.string().max(40).optional(),
  user_profile: z
    .looseObject({ display_name: z.string().optional(), real_name: z.string().optional(), name: z.string().optional() })
    .optional(),
  files: z.array(ZSlackFile).max(50).optional(),
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
  /** tokens_revoked: the user ids whose OAuth / bot tokens were revoked. */
  tokens: z
    .looseObject({ oauth: z.array(z.string().max(40)).optional(), bot: z.array(z.string().max(40)).optional() })
    .optional(),
});

/**
 * Workspace-level events that end an install: every connection of the team (app_uninstalled), or those whose bot
 * user is listed (tokens_revoked), must turn broken. They name no channel.
 */
export const SLACK_INSTALL_EVENTS = new Set(['app_uninstalled', 'tokens_revoked']);

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

export const ZSlackUrlVerification = z.object({
  type: z.literal('url_verification'),
  challenge: z.string().min(1).max(500),
});
