-- The AI's knowledge: sources (text, FAQ, files, the customer's site) and their chunks, indexed for full-text search
-- (tsvector + GIN, plain Postgres) and optionally with an embedding (real[], cosine ranking in SQL).
CREATE TYPE "KnowledgeSourceKind" AS ENUM ('text', 'faq', 'file', 'site', 'sitemap');

CREATE TYPE "KnowledgeSourceStatus" AS ENUM ('pending', 'indexing', 'ready', 'failed');

CREATE TABLE "KnowledgeSource" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "kind" "KnowledgeSourceKind" NOT NULL,
    "title" TEXT NOT NULL,
    "content" TEXT,
    "url" TEXT,
    "status" "KnowledgeSourceStatus" NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "warnings" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "pageCount" INTEGER NOT NULL DEFAULT 0,
    "chunkCount" INTEGER NOT NULL DEFAULT 0,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "lastIndexedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "KnowledgeSource_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "KnowledgeChunk" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "url" TEXT,
    "title" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "language" TEXT NOT NULL DEFAULT 'english',
    "tsv" tsvector NOT NULL,
    "embedding" REAL[],
    "embeddingModel" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "KnowledgeChunk_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "KnowledgeSource_organizationId_projectId_idx" ON "KnowledgeSource"("organizationId", "projectId");

CREATE UNIQUE INDEX "KnowledgeSource_organizationId_id_key" ON "KnowledgeSource"("organizationId", "id");

CREATE INDEX "KnowledgeChunk_organizationId_projectId_idx" ON "KnowledgeChunk"("organizationId", "projectId");

CREATE INDEX "KnowledgeChunk_organizationId_sourceId_idx" ON "KnowledgeChunk"("organizationId", "sourceId");

CREATE INDEX "KnowledgeChunk_tsv_idx" ON "KnowledgeChunk" USING GIN ("tsv");

ALTER TABLE "KnowledgeSource" ADD CONSTRAINT "KnowledgeSource_organizationId_projectId_fkey" FOREIGN KEY ("organizationId", "projectId") REFERENCES "Project"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "KnowledgeChunk" ADD CONSTRAINT "KnowledgeChunk_organizationId_projectId_fkey" FOREIGN KEY ("organizationId", "projectId") REFERENCES "Project"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "KnowledgeChunk" ADD CONSTRAINT "KnowledgeChunk_organizationId_sourceId_fkey" FOREIGN KEY ("organizationId", "sourceId") REFERENCES "KnowledgeSource"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;
