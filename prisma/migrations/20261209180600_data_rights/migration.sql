-- CreateEnum
CREATE TYPE "PlatformDeletionStatus" AS ENUM ('pending', 'done', 'failed');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "deletionRequestedAt" TIMESTAMP(3),
ADD COLUMN     "deletionRequestedById" TEXT,
ADD COLUMN     "deletionScheduledFor" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "retentionDays" INTEGER;

-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN     "ip" TEXT;

-- CreateTable
CREATE TABLE "PlatformDeletion" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "externalChatId" TEXT NOT NULL,
    "externalThreadId" TEXT NOT NULL,
    "externalMessageId" TEXT NOT NULL,
    "status" "PlatformDeletionStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "PlatformDeletion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PlatformDeletion_status_createdAt_idx" ON "PlatformDeletion"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PlatformDeletion_organizationId_connectionId_externalChatId_key" ON "PlatformDeletion"("organizationId", "connectionId", "externalChatId", "externalMessageId");

-- CreateIndex
CREATE INDEX "Organization_deletionScheduledFor_idx" ON "Organization"("deletionScheduledFor");

-- CreateIndex
CREATE INDEX "Conversation_projectId_lastMessageAt_idx" ON "Conversation"("projectId", "lastMessageAt");

-- CreateIndex
CREATE INDEX "OutboxEvent_createdAt_idx" ON "OutboxEvent"("createdAt");

-- CreateIndex
CREATE INDEX "InboundEvent_createdAt_idx" ON "InboundEvent"("createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_organizationId_action_createdAt_idx" ON "AuditLog"("organizationId", "action", "createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_createdAt_idx" ON "AuditLog"("createdAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_createdAt_idx" ON "WebhookDelivery"("createdAt");

-- CreateIndex
CREATE INDEX "WebhookAttempt_createdAt_idx" ON "WebhookAttempt"("createdAt");

-- AddForeignKey
ALTER TABLE "PlatformDeletion" ADD CONSTRAINT "PlatformDeletion_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlatformDeletion" ADD CONSTRAINT "PlatformDeletion_organizationId_connectionId_fkey" FOREIGN KEY ("organizationId", "connectionId") REFERENCES "BridgeConnection"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

