// Budgets: a run's own, its project's monthly one and its starter's monthly one. Monthly spend is the cost of the
// runs queued in the current calendar month (UTC). A run may spend up to the smallest room left among them.
import type { PrismaClient } from '../generated/prisma/client.js';

const monthStart = (now = new Date()) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

const money = (value: { toString(): string } | null | undefined): number | null => (value == null ? null : Number(value.toString()));

export async function projectMonthSpend(db: PrismaClient, projectId: string): Promise<number> {
  const sum = await db.agentRun.aggregate({ where: { projectId, queuedAt: { gte: monthStart() } }, _sum: { costUsd: true } });
  return money(sum._sum.costUsd) ?? 0;
}

export async function userMonthSpend(db: PrismaClient, userId: string): Promise<number> {
  const sum = await db.agentRun.aggregate({ where: { startedById: userId, queuedAt: { gte: monthStart() } }, _sum: { costUsd: true } });
  return money(sum._sum.costUsd) ?? 0;
}

export interface EffectiveBudget {
  /** The run's spend at which it must park (null: no limit applies). */
  limitUsd: number | null;
  /** Which budget is the tightest: the one a park names. */
  binding: 'run' | 'project' | 'user' | null;
}

/** The tightest of the run's budget and the project's and starter's monthly room, as a limit on the run's spend. */
export async function effectiveBudget(
  db: PrismaClient,
  run: { projectId: string; startedById: string | null; spentUsd: number; runLimitUsd: number | null },
): Promise<EffectiveBudget> {
  const [project, user] = await Promise.all([
    db.project.findUniqueOrThrow({ where: { id: run.projectId }, select: { monthlyBudgetUsd: true } }),
    run.startedById ? db.user.findUnique({ where: { id: run.startedById }, select: { monthlyBudgetUsd: true } }) : null,
  ]);
  const rooms: Array<{ room: number; binding: 'run' | 'project' | 'user' }> = [];
  if (run.runLimitUsd !== null) rooms.push({ room: run.runLimitUsd - run.spentUsd, binding: 'run' });
  const projectBudget = money(project.monthlyBudgetUsd);
  if (projectBudget !== null) rooms.push({ room: projectBudget - (await projectMonthSpend(db, run.projectId)), binding: 'project' });
  const userBudget = money(user?.monthlyBudgetUsd);
  if (userBudget !== null && run.startedById) rooms.push({ room: userBudget - (await userMonthSpend(db, run.startedById)), binding: 'user' });
  if (!rooms.length) return { limitUsd: null, binding: null };
  const tightest = rooms.reduce((a, b) => (b.room < a.room ? b : a));
  return { limitUsd: run.spentUsd + tightest.room, binding: tightest.binding };
}

export const BUDGET_NAMES = { run: "the run's budget", project: "the project's monthly budget", user: "the monthly budget of the user who started it" } as const;
