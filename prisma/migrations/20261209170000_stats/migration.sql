-- CreateIndex
CREATE INDEX "Conversation_organizationId_projectId_createdAt_idx" ON "Conversation"("organizationId", "projectId", "createdAt");

-- CreateTable
CREATE TABLE "StatsFirstReply" (
    "organizationId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "conversationCreatedAt" TIMESTAMP(3) NOT NULL,
    "firstVisitorAt" TIMESTAMP(3) NOT NULL,
    "firstReplyAt" TIMESTAMP(3) NOT NULL,
    "channel" TEXT NOT NULL,

    CONSTRAINT "StatsFirstReply_pkey" PRIMARY KEY ("organizationId","conversationId")
);

-- CreateIndex
CREATE INDEX "StatsFirstReply_project_period_idx" ON "StatsFirstReply"("organizationId", "projectId", "conversationCreatedAt");

-- CreateIndex
CREATE INDEX "StatsFirstReply_organizationId_conversationCreatedAt_idx" ON "StatsFirstReply"("organizationId", "conversationCreatedAt");

-- AddForeignKey
ALTER TABLE "StatsFirstReply" ADD CONSTRAINT "StatsFirstReply_organizationId_conversationId_fkey" FOREIGN KEY ("organizationId", "conversationId") REFERENCES "Conversation"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;
