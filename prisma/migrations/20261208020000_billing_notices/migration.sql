-- Billing emails (payment failed, trial ending): one row per organization, kind and occurrence (the past-due
-- episode's start or the trial's end), claimed before the email is sent so each goes out once.
CREATE TABLE "BillingNotice" (
    "organizationId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "occurrence" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BillingNotice_pkey" PRIMARY KEY ("organizationId","kind","occurrence"),
    CONSTRAINT "BillingNotice_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
