-- The public REST API /api/v1: key scopes and an optional project restriction (existing keys keep read + write on
-- every project), the stored answers of idempotent POSTs, and the index its conversation list pages through.
ALTER TABLE "ApiKey" ADD COLUMN "scopes" TEXT[] DEFAULT ARRAY['read', 'write']::TEXT[],
ADD COLUMN "projectId" TEXT;

CREATE TABLE "ApiIdempotencyKey" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "apiKeyId" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "status" INTEGER,
    "response" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ApiIdempotencyKey_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ApiIdempotencyKey_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "ApiIdempotencyKey_apiKeyId_route_key_key" ON "ApiIdempotencyKey"("apiKeyId", "route", "key");
CREATE INDEX "ApiIdempotencyKey_createdAt_idx" ON "ApiIdempotencyKey"("createdAt");

-- GET /api/v1/conversations: newest activity first, keyset-paged on (updatedAt, id).
CREATE INDEX "Conversation_organizationId_updatedAt_id_idx" ON "Conversation"("organizationId", "updatedAt", "id");
