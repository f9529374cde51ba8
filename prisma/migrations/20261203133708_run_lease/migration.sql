-- AlterTable
ALTER TABLE "AgentRun" ADD COLUMN     "leaseEpoch" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "leaseExpiresAt" TIMESTAMPTZ(3),
ADD COLUMN     "leaseOwner" TEXT;
