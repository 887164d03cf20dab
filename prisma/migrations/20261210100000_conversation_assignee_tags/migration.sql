-- Inbox assignment and tags: a conversation's assignee (a member of its organization, cleared when the user goes)
-- and its free-form tags.
ALTER TABLE "Conversation" ADD COLUMN "assigneeId" TEXT,
ADD COLUMN "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];

CREATE INDEX "Conversation_organizationId_projectId_assigneeId_idx" ON "Conversation"("organizationId", "projectId", "assigneeId");

ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
