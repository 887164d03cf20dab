-- Operator replies emailed to a visitor who left: how far each conversation was emailed, and the index the pass
-- that finds them reads (recent conversations of every tenant).
ALTER TABLE "Conversation" ADD COLUMN "visitorEmailedSeq" INTEGER NOT NULL DEFAULT 0;

CREATE INDEX "Conversation_lastMessageAt_idx" ON "Conversation"("lastMessageAt");
