/** Queue names and dotted job names: stable, they live in Redis across deploys. */
export const QUEUES = {
  delivery: 'bridge-delivery',
  inbound: 'bridge-inbound',
  maintenance: 'maintenance',
  visitor: 'visitor-events',
  billing: 'billing-events',
  ai: 'ai-takeover',
  knowledge: 'ai-knowledge',
  webhooks: 'webhook-delivery',
  notifications: 'team-notifications',
  mail: 'mail',
  privacy: 'privacy',
} as const;

export const JOBS = {
  deliver: 'bridge.deliver',
  inbound: 'bridge.inbound',
  sweep: 'outbox.sweep',
  visitorLeft: 'visitor.left',
  visitorTyping: 'visitor.typing',
  stripeEvent: 'billing.stripe-event',
  aiTakeover: 'ai.takeover',
  knowledgeIndex: 'knowledge.index',
  visitorPosted: 'visitor.posted',
  webhookDeliver: 'webhook.deliver',
  conversationWaiting: 'notify.waiting',
  notificationDigest: 'notify.digest',
  visitorReplies: 'notify.visitor-replies',
  transcript: 'notify.transcript',
  mailSend: 'mail.send',
  privacyPass: 'privacy.pass',
  platformDeletions: 'privacy.platform-deletions',
} as const;
