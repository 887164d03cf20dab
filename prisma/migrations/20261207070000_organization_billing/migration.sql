-- An organization's billing as last synchronised from Stripe.
CREATE TABLE "OrganizationBilling" (
    "organizationId" TEXT NOT NULL,
    "stripeCustomerId" TEXT,
    "stripeSubscriptionId" TEXT,
    "plan" TEXT NOT NULL DEFAULT 'free',
    "interval" TEXT,
    "status" TEXT NOT NULL DEFAULT 'none',
    "trialEndsAt" TIMESTAMP(3),
    "pastDueSince" TIMESTAMP(3),
    "currentPeriodEnd" TIMESTAMP(3),
    "cancelAtPeriodEnd" BOOLEAN NOT NULL DEFAULT false,
    "stripeEventCreatedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "OrganizationBilling_pkey" PRIMARY KEY ("organizationId"),
    CONSTRAINT "OrganizationBilling_plan_check" CHECK ("plan" IN ('free', 'starter', 'pro', 'business')),
    CONSTRAINT "OrganizationBilling_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "OrganizationBilling_stripeCustomerId_key" ON "OrganizationBilling"("stripeCustomerId");
CREATE UNIQUE INDEX "OrganizationBilling_stripeSubscriptionId_key" ON "OrganizationBilling"("stripeSubscriptionId");
