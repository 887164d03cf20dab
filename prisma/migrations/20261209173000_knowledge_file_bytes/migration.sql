-- AlterTable
ALTER TABLE "KnowledgeSource" ADD COLUMN     "fileBytes" BYTEA;
