-- Which identity fields the customer's signature covered (identify() with a signed token), the rest are unverified.
ALTER TABLE "Visitor" ADD COLUMN "verifiedFields" TEXT[] DEFAULT ARRAY[]::TEXT[];
