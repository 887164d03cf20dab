export {
  createDb,
  inTransaction,
  isStatementTimeout,
  isUniqueViolation,
  withStatementTimeout,
  type TDb,
  type TDbOrTx,
  type TTx,
} from './client.js';
export { Prisma } from '@prisma/client';
export type { BridgeKind, ConnectionStatus, SenderKind, Role } from '@prisma/client';
export * from './dto.js';
export * from './storable.js';
export * from './repositories/organizations.js';
export * from './repositories/projects.js';
export * from './repositories/visitors.js';
export * from './repositories/visitor-context.js';
export * from './repositories/message-alert.js';
export * from './repositories/conversations.js';
export * from './repositories/messages.js';
export * from './repositories/connections.js';
export * from './repositories/connections-by-target.js';
export * from './repositories/connection-credentials.js';
export * from './repositories/threads.js';
export * from './repositories/outbox.js';
export * from './repositories/inbound.js';
export * from './repositories/api-keys.js';
export * from './repositories/audit.js';
export * from './repositories/bootstrap.js';
export * from './repositories/discord.js';
export * from './repositories/sql-pool.js';
export * from './repositories/ids.js';
export * from './repositories/outbox-drain.js';
export * from './repositories/thread-renames.js';
export * from './repositories/reply-times.js';
export * from './repositories/message-mappings.js';
export * from './repositories/change-message.js';
export * from './repositories/connection-health.js';
export * from './repositories/attachments.js';
export * from './repositories/read-receipts.js';
export * from './repositories/identity.js';
export * from './repositories/conversation-lifecycle.js';
export * from './repositories/telegram-polling.js';
export * from './repositories/connections-by-team.js';
export * from './repositories/connections-setup.js';
export * from './repositories/memberships.js';
export * from './repositories/invitations.js';
export * from './repositories/users.js';
export * from './repositories/user-tokens.js';
export * from './repositories/inbox.js';
export * from './repositories/usage.js';
export * from './repositories/plan-pauses.js';
export * from './repositories/limits-store.js';
export * from './repositories/billing.js';
export * from './repositories/ai.js';
export * from './repositories/knowledge.js';
export * from './repositories/readiness.js';
export * from './apply-migrations.js';
export * from './repositories/api.js';
export * from './repositories/webhooks.js';
export * from './repositories/conversation-stats.js';
export * from './repositories/notifications.js';
export * from './repositories/transcripts.js';
export * from './repositories/retention.js';
export * from './repositories/visitor-data.js';
export * from './repositories/organization-deletion.js';
export * from './repositories/platform-deletions.js';
export * from './repositories/saved-replies.js';
export * from './repositories/conversation-team.js';
