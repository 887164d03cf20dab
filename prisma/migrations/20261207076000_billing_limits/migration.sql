-- Limits that hold: what a downgrade pauses (never deletes), conversations started beyond the monthly quota, the
-- monthly AI usage that no other row counts, and the once-per-month usage emails.
ALTER TABLE "Project" ADD COLUMN "pausedAt" TIMESTAMP(3),
ADD COLUMN "pausedReason" TEXT;

ALTER TABLE "BridgeConnection" ADD COLUMN "pausedAt" TIMESTAMP(3),
ADD COLUMN "pausedReason" TEXT;

ALTER TABLE "Conversation" ADD COLUMN "overQuotaAt" TIMESTAMP(3);

-- Counting this month's conversations (the usage reconcile) reads this index only.
CREATE INDEX "Conversation_organizationId_createdAt_idx" ON "Conversation"("organizationId", "createdAt");

CREATE TABLE "UsageMonth" (
    "organizationId" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "aiReplies" INTEGER NOT NULL DEFAULT 0,
    "aiTokens" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "UsageMonth_pkey" PRIMARY KEY ("organizationId","month"),
    CONSTRAINT "UsageMonth_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "UsageAlert" (
    "organizationId" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "limit" TEXT NOT NULL,
    "threshold" INTEGER NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "UsageAlert_pkey" PRIMARY KEY ("organizationId","month","limit","threshold"),
    CONSTRAINT "UsageAlert_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
