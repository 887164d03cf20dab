import { z } from 'zod';

export const DISCORD_MESSAGE_EVENTS = ['MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE'] as const;
export type TDiscordMessageEvent = (typeof DISCORD_MESSAGE_EVENTS)[number];

const ZId = z.string().regex(/^\d{1,20}$/);

/** The part of a gateway message dispatch the bridge reads; unknown fields pass through. */
const ZDispatchData = z.looseObject({
  id: ZId,
  channel_id: ZId,
  guild_id: ZId.optional(),
  type: z.number().int().optional(),
  content: z.string().max(10_000).optional(),
  /** Part of the dedupe key (InboundEvent.externalId, a unique index): an ISO timestamp, so bounded. */
  edited_timestamp: z.string().max(64).nullable().optional(),
  webhook_id: ZId.optional(),
  author: z
    .looseObject({
      id: ZId,
      username: z.string().max(100),
      global_name: z.string().max(100).nullable().optional(),
      bot: z.boolean().optional(),
    })
    .optional(),
  member: z.looseObject({ nick: z.string().max(100).nullable().optional() }).optional(),
  /** Files of the message (MESSAGE_CREATE): fetched from `url` (Discord's CDN), size-checked again on download. */
  attachments: z
    .array(
      z.looseObject({
        id: ZId,
        filename: z.string().min(1).max(1024),
        size: z.number().int().nonnegative().optional(),
        url: z.string().url().max(2048),
        content_type: z.string().max(255).optional(),
      }),
    )
    .max(10)
    .optional(),
});

/**
 * What the gateway consumer stores as an InboundEvent: the dispatch (`t`, `d`) and the thread's parent channel
 * (`parent_id`), which the dispatch itself does not carry and which the bridge must check against the connection.
 */
export const ZDiscordGatewayEvent = z.object({
  t: z.enum(DISCORD_MESSAGE_EVENTS),
  s: z.number().int().nullable().optional(),
  d: ZDispatchData,
  parent_id: ZId,
});
export type TDiscordGatewayEvent = z.infer<typeof ZDiscordGatewayEvent>;

/**
 * The dedupe key of a dispatch (InboundEvent.externalId): a replay after RESUME has the same one; an edit is a new
 * event per edit (its edited_timestamp changes).
 */
export function discordInboundExternalId(event: Pick<TDiscordGatewayEvent, 't' | 'd'>): string {
  return `${event.t}:${event.d.id}:${event.d.edited_timestamp ?? ''}`;
}
