-- AlterTable
ALTER TABLE "BridgeConnection" ADD COLUMN     "scopeName" TEXT,
ADD COLUMN     "targetName" TEXT;
