-- A password chosen at sign-up waits on its confirmation link instead of on the user row.
ALTER TABLE "UserToken" ADD COLUMN "passwordHash" TEXT;

-- Accounts that never confirmed their address: their password moves onto their pending confirmation links, so it
-- becomes usable only through one of them (a magic link or an OAuth sign-in of the real owner no longer inherits it).
UPDATE "UserToken" t SET "passwordHash" = u."passwordHash"
  FROM "User" u
  WHERE t."userId" = u."id" AND u."emailVerified" IS NULL AND u."passwordHash" IS NOT NULL
    AND t."purpose" = 'verify_email' AND t."usedAt" IS NULL;
UPDATE "User" SET "passwordHash" = NULL WHERE "emailVerified" IS NULL;
