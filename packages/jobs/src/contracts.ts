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

/**
 * Apply one stored Stripe webhook event (`StripeEvent` row). The organization is not known when the event arrives:
 * the job resolves it from the event's customer, the webhook transport's tenant lookup.
 */
export const ZStripeEventJob = z.object({
  stripeEventId: z.string().regex(/^evt_[A-Za-z0-9]{1,250}$/),
});
export type TStripeEventJob = z.infer<typeof ZStripeEventJob>;

/** Delete an organization's pending chat-app posts (PlatformDeletion rows) now. */
export const ZPlatformDeletionsJob = z.object({ organizationId: z.string().min(1).max(64) });
export type TPlatformDeletionsJob = z.infer<typeof ZPlatformDeletionsJob>;

/** BullMQ custom job ids may not contain ':'; ids are cuids, so '-' separates safely. */
export const jobIds = {
  deliver: (outboxId: string) => `ob-${outboxId}`,
  inbound: (inboundEventId: string) => `in-${inboundEventId}`,
  stripeEvent: (stripeEventId: string) => `se-${stripeEventId}`,
  platformDeletions: (organizationId: string) => `pd-${organizationId}`,
};
