-- Inbound events are applied per platform thread in the platform's order (InboundEvent.groupKey / orderKey);
-- readyAt holds an event back briefly where concurrent deliveries may still bring an earlier one.
ALTER TABLE "InboundEvent" ADD COLUMN "groupKey" TEXT;
ALTER TABLE "InboundEvent" ADD COLUMN "orderKey" TEXT NOT NULL DEFAULT '';
ALTER TABLE "InboundEvent" ADD COLUMN "readyAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
CREATE INDEX "InboundEvent_organizationId_connectionId_groupKey_status_orderKey_idx" ON "InboundEvent"("organizationId", "connectionId", "groupKey", "status", "orderKey");

-- A thread opened before its visitor card was posted (the card post failed or is pending): the card is the next post.
ALTER TABLE "BridgeThread" ADD COLUMN "cardPending" BOOLEAN NOT NULL DEFAULT false;
