import { z } from 'zod';

/**
 * Outbound webhook event types (docs/webhooks.md). Stable: customers filter on them and their receivers switch on
 * them. Every payload is `{type, timestamp, data}`; `data` per type is documented in docs/webhooks.md.
 */
export const WEBHOOK_EVENT_TYPES = [
  'conversation.created',
  'conversation.closed',
  'conversation.reopened',
  'conversation.assigned',
  'message.created',
  'visitor.identified',
  'event.custom',
  'csat.submitted',
  'connection.broken',
  'connection.recovered',
  'ai.handoff',
] as const;

export const ZWebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type TWebhookEventType = z.infer<typeof ZWebhookEventType>;

/** Only for `test` deliveries from the dashboard's "send test event" button; never subscribed to. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

/** What a receiver gets as the body of every webhook. */
export const ZWebhookPayload = z.object({
  type: z.string(),
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type TWebhookPayload = z.infer<typeof ZWebhookPayload>;

/** The kind of a message.created event: who wrote it, and `note` for an internal operator note. */
export type TWebhookMessageKind = 'visitor' | 'operator' | 'ai' | 'note';

/** The server → widget event that carries a TVisitorPushEvent (kept out of WidgetEvents: the widget copies those). */
export const VISITOR_PUSH_EVENT = 'visitor:event';

/** server → widget: a named event the customer's backend sent to this visitor (`PocketPing.on(name, fn)`). */
export const ZVisitorPushEvent = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(100),
  data: z.unknown(),
  sentAt: z.string(),
});
export type TVisitorPushEvent = z.infer<typeof ZVisitorPushEvent>;
