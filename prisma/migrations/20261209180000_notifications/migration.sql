-- Notifications: each user's choice per kind (off, one email each, or a digest), one claimed row per conversation
-- wait (so a wait is announced once whatever repeats), and the addresses the SMTP server refused for good.
CREATE TYPE "NotificationMode" AS ENUM ('off', 'immediate', 'digest');

CREATE TABLE "NotificationPreference" (
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "mode" "NotificationMode" NOT NULL,
    "digestSentAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationPreference_pkey" PRIMARY KEY ("userId","kind")
);

CREATE TABLE "WaitNotice" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "visitorSeq" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WaitNotice_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "MailSuppression" (
    "email" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MailSuppression_pkey" PRIMARY KEY ("email")
);

CREATE INDEX "WaitNotice_organizationId_createdAt_idx" ON "WaitNotice"("organizationId", "createdAt");

CREATE UNIQUE INDEX "WaitNotice_conversationId_visitorSeq_key" ON "WaitNotice"("conversationId", "visitorSeq");

ALTER TABLE "NotificationPreference" ADD CONSTRAINT "NotificationPreference_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "WaitNotice" ADD CONSTRAINT "WaitNotice_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
