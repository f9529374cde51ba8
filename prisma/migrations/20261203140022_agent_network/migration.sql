-- CreateEnum
CREATE TYPE "AgentNetwork" AS ENUM ('NONE', 'ALLOWLIST');

-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "allowedHosts" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "network" "AgentNetwork" NOT NULL DEFAULT 'NONE';
