-- Stripe webhook events, unique on Stripe's event id: a redelivery finds its row and changes nothing.
CREATE TABLE "StripeEvent" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "eventCreatedAt" TIMESTAMP(3) NOT NULL,
    "customerId" TEXT,
    "subscriptionId" TEXT,
    "organizationId" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),
    "outcome" TEXT,
    CONSTRAINT "StripeEvent_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "StripeEvent_customerId_idx" ON "StripeEvent"("customerId");
CREATE INDEX "StripeEvent_organizationId_idx" ON "StripeEvent"("organizationId");
CREATE INDEX "StripeEvent_processedAt_receivedAt_idx" ON "StripeEvent"("processedAt", "receivedAt");
