-- Transcripts emailed to visitors: the close whose transcript went out (one email per close), and the index the
-- pass that finds recently closed conversations reads (every tenant).
ALTER TABLE "Conversation" ADD COLUMN "transcriptClosedAt" TIMESTAMP(3);

CREATE INDEX "Conversation_closedAt_idx" ON "Conversation"("closedAt");
