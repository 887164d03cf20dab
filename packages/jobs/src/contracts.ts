import { z } from 'zod';

const ZId = z.string().min(1).max(64);

/** Deliver the pending outbox rows of one (connection, conversation) pair, in seq order. */
export const ZDeliverJob = z.object({
  organizationId: ZId,
  connectionId: ZId,
  conversationId: ZId,
  outboxId: ZId,
});
export type TDeliverJob = z.infer<typeof ZDeliverJob>;

/** Process one stored inbound platform delivery (Telegram update, …). */
export const ZInboundJob = z.object({
  organizationId: ZId,
  inboundEventId: ZId,
});
export type TInboundJob = z.infer<typeof ZInboundJob>;

/** BullMQ custom job ids may not contain ':'; ids are cuids, so '-' separates safely. */
export const jobIds = {
  deliver: (outboxId: string) => `ob-${outboxId}`,
  inbound: (inboundEventId: string) => `in-${inboundEventId}`,
};
