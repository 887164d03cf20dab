-- CreateEnum
CREATE TYPE "Visibility" AS ENUM ('public', 'internal');

-- AlterTable
ALTER TABLE "BridgeConnection" ADD COLUMN     "brokenAlertedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "csatAt" TIMESTAMP(3),
ADD COLUMN     "csatComment" TEXT,
ADD COLUMN     "csatScore" INTEGER,
ADD COLUMN     "operatorLastReadSeq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "preChat" JSONB,
ADD COLUMN     "visitorLastReadSeq" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "visibility" "Visibility" NOT NULL DEFAULT 'public';

-- AlterTable
ALTER TABLE "Visitor" ADD COLUMN     "identityVerified" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Attachment" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT,
    "uploadedBy" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "storageKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Attachment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Attachment_organizationId_conversationId_idx" ON "Attachment"("organizationId", "conversationId");

-- CreateIndex
CREATE INDEX "Attachment_organizationId_messageId_idx" ON "Attachment"("organizationId", "messageId");

-- CreateIndex
CREATE UNIQUE INDEX "Attachment_organizationId_id_key" ON "Attachment"("organizationId", "id");

-- CreateIndex
CREATE INDEX "Visitor_organizationId_projectId_externalId_idx" ON "Visitor"("organizationId", "projectId", "externalId");

-- AddForeignKey
ALTER TABLE "Attachment" ADD CONSTRAINT "Attachment_organizationId_conversationId_fkey" FOREIGN KEY ("organizationId", "conversationId") REFERENCES "Conversation"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attachment" ADD CONSTRAINT "Attachment_organizationId_messageId_fkey" FOREIGN KEY ("organizationId", "messageId") REFERENCES "Message"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;
