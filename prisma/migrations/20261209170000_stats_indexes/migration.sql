-- CreateIndex
CREATE INDEX "Conversation_organizationId_projectId_createdAt_idx" ON "Conversation"("organizationId", "projectId", "createdAt");
