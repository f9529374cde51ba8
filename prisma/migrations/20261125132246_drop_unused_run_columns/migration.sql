-- AlterTable
ALTER TABLE "AgentRun" DROP COLUMN "heartbeatAt",
DROP COLUMN "lastSeq";
