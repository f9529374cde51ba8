-- AlterEnum
ALTER TYPE "AgentRole" ADD VALUE 'VERIFIER';
