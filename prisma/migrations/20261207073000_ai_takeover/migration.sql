-- AI fallback: per-project settings, an organization's own provider key (sealed), the usage meter, and one claim row
-- per visitor message the AI takes on (no visitor message is answered twice).
CREATE TABLE "ProjectAi" (
    "organizationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "budgetAlertedIn" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProjectAi_pkey" PRIMARY KEY ("organizationId","projectId")
);

CREATE TABLE "OrganizationAi" (
    "organizationId" TEXT NOT NULL,
    "sealedApiKey" TEXT,
    "apiKeyHint" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrganizationAi_pkey" PRIMARY KEY ("organizationId")
);

CREATE TABLE "AiUsage" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "projectId" TEXT,
    "conversationId" TEXT,
    "kind" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "promptTokens" INTEGER NOT NULL,
    "completionTokens" INTEGER NOT NULL,
    "costMicroUsd" INTEGER NOT NULL DEFAULT 0,
    "replies" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AiUsage_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AiReply" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "visitorSeq" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'claimed',
    "replySeq" INTEGER,
    "detail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AiReply_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "AiUsage_organizationId_createdAt_idx" ON "AiUsage"("organizationId", "createdAt");

CREATE INDEX "AiUsage_organizationId_projectId_createdAt_idx" ON "AiUsage"("organizationId", "projectId", "createdAt");

CREATE UNIQUE INDEX "AiReply_organizationId_conversationId_visitorSeq_key" ON "AiReply"("organizationId", "conversationId", "visitorSeq");

ALTER TABLE "ProjectAi" ADD CONSTRAINT "ProjectAi_organizationId_projectId_fkey" FOREIGN KEY ("organizationId", "projectId") REFERENCES "Project"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "OrganizationAi" ADD CONSTRAINT "OrganizationAi_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "AiReply" ADD CONSTRAINT "AiReply_organizationId_conversationId_fkey" FOREIGN KEY ("organizationId", "conversationId") REFERENCES "Conversation"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "AiUsage" ADD CONSTRAINT "AiUsage_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
