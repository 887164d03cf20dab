-- The stats read narrow per-conversation rows folded incrementally (packages/db conversation-stats.ts) instead of
-- the first-reply roll-up. The first read of an organization folds its existing conversations.
DROP TABLE "StatsFirstReply";

-- CreateTable
CREATE TABLE "StatsConversation" (
    "organizationId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "conversationCreatedAt" TIMESTAMP(3) NOT NULL,
    "firstResponseSeconds" DOUBLE PRECISION,
    "channel" TEXT,
    "resolutionSeconds" DOUBLE PRECISION,
    "csatScore" SMALLINT,
    "closed" BOOLEAN NOT NULL,
    "unanswered" BOOLEAN NOT NULL,

    CONSTRAINT "StatsConversation_pkey" PRIMARY KEY ("organizationId","conversationId")
);

-- CreateTable
CREATE TABLE "StatsRollup" (
    "organizationId" TEXT NOT NULL,
    "foldedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StatsRollup_pkey" PRIMARY KEY ("organizationId")
);

-- CreateIndex
CREATE INDEX "StatsConversation_project_period_idx" ON "StatsConversation"("organizationId", "projectId", "conversationCreatedAt");

-- CreateIndex
CREATE INDEX "StatsConversation_organizationId_conversationCreatedAt_idx" ON "StatsConversation"("organizationId", "conversationCreatedAt");

-- AddForeignKey
ALTER TABLE "StatsConversation" ADD CONSTRAINT "StatsConversation_organizationId_conversationId_fkey" FOREIGN KEY ("organizationId", "conversationId") REFERENCES "Conversation"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StatsRollup" ADD CONSTRAINT "StatsRollup_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Audit entries keep the client's user agent beside its address.
ALTER TABLE "AuditLog" ADD COLUMN "userAgent" TEXT;
