-- Profile page: an uploaded avatar, and email changes confirmed by a link mailed to the new address.
ALTER TYPE "UserTokenPurpose" ADD VALUE 'change_email';

ALTER TABLE "User" ADD COLUMN "avatarKey" TEXT;
ALTER TABLE "User" ADD COLUMN "avatarContentType" TEXT;

ALTER TABLE "UserToken" ADD COLUMN "newEmail" TEXT;
