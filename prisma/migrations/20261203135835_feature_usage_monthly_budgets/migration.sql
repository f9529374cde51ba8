-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "monthlyBudgetUsd" DECIMAL(12,4);

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "monthlyBudgetUsd" DECIMAL(12,4);

-- CreateTable
CREATE TABLE "FeatureUsage" (
    "featureId" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "cacheReadInputTokens" INTEGER NOT NULL DEFAULT 0,
    "cacheCreationInputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DECIMAL(14,6) NOT NULL DEFAULT 0,

    CONSTRAINT "FeatureUsage_pkey" PRIMARY KEY ("featureId","runId","kind")
);

-- CreateIndex
CREATE INDEX "FeatureUsage_runId_idx" ON "FeatureUsage"("runId");

-- AddForeignKey
ALTER TABLE "FeatureUsage" ADD CONSTRAINT "FeatureUsage_featureId_fkey" FOREIGN KEY ("featureId") REFERENCES "Feature"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeatureUsage" ADD CONSTRAINT "FeatureUsage_runId_fkey" FOREIGN KEY ("runId") REFERENCES "AgentRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
