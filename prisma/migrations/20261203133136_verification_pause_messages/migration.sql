-- AlterEnum
ALTER TYPE "AgentRunEventType" ADD VALUE 'USER_MESSAGE';

-- AlterEnum
ALTER TYPE "AgentRunStatus" ADD VALUE 'PAUSED';

-- AlterTable
ALTER TABLE "AgentRun" ADD COLUMN     "pauseRequested" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "pausedReason" TEXT,
ADD COLUMN     "resumeAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "AgentSession" ADD COLUMN     "checkpoint" JSONB;

-- AlterTable
ALTER TABLE "Feature" ADD COLUMN     "regression" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "verifiedAt" TIMESTAMP(3),
ADD COLUMN     "verifiedSha" TEXT;

-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "verifierEnabled" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "verifyCommand" TEXT;

-- AlterTable
ALTER TABLE "TestResult" ADD COLUMN     "featureId" UUID,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'AGENT',
ADD COLUMN     "sha" TEXT;

-- CreateTable
CREATE TABLE "RunMessage" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "authorId" UUID,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "RunMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FeatureVerification" (
    "id" UUID NOT NULL,
    "featureId" UUID NOT NULL,
    "runId" UUID,
    "sha" TEXT,
    "accepted" BOOLEAN NOT NULL,
    "reason" TEXT NOT NULL,
    "command" TEXT,
    "commandPassed" BOOLEAN,
    "verdict" TEXT,
    "verdictCommands" TEXT[],
    "verdictOutput" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FeatureVerification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RunMessage_runId_deliveredAt_idx" ON "RunMessage"("runId", "deliveredAt");

-- CreateIndex
CREATE INDEX "FeatureVerification_featureId_createdAt_idx" ON "FeatureVerification"("featureId", "createdAt");

-- CreateIndex
CREATE INDEX "TestResult_featureId_idx" ON "TestResult"("featureId");

-- AddForeignKey
ALTER TABLE "TestResult" ADD CONSTRAINT "TestResult_featureId_fkey" FOREIGN KEY ("featureId") REFERENCES "Feature"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunMessage" ADD CONSTRAINT "RunMessage_runId_fkey" FOREIGN KEY ("runId") REFERENCES "AgentRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunMessage" ADD CONSTRAINT "RunMessage_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeatureVerification" ADD CONSTRAINT "FeatureVerification_featureId_fkey" FOREIGN KEY ("featureId") REFERENCES "Feature"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeatureVerification" ADD CONSTRAINT "FeatureVerification_runId_fkey" FOREIGN KEY ("runId") REFERENCES "AgentRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;
