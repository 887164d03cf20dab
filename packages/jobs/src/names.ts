/** Queue names and dotted job names: stable, they live in Redis across deploys. */
export const QUEUES = {
  delivery: 'bridge-delivery',
  inbound: 'bridge-inbound',
  maintenance: 'maintenance',
  visitor: 'visitor-events',
  knowledge: 'ai-knowledge',
} as const;

export const JOBS = {
  deliver: 'bridge.deliver',
  inbound: 'bridge.inbound',
  sweep: 'outbox.sweep',
  visitorLeft: 'visitor.left',
  visitorTyping: 'visitor.typing',
  knowledgeIndex: 'knowledge.index',
} as const;
