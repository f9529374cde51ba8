// stopAgentRun. One mechanism with one fallback:
// - A run no worker holds (queued, interrupted, paused) is cancelled here, as its lease holder for that write.
// - A run a worker holds is stopped by the relay: a Redis message to every worker of the queue; the one holding the
//   run aborts it (worker/cancel-listener.ts) and writes CANCELLED. This is the mechanism, well under a second.
// - Fallback, should the relay be lost (Redis down, a worker that subscribed late): the stopRequested flag written
//   here first. The holder reads it with every lease renewal (lease.ts, every SHIPYARD_LEASE_MS / 4) and aborts the
//   run as if the relay had come; a worker that picks the job up later reads it before starting.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { conflict, notFound } from '../errors.js';
import { FINAL_RUN_STATUSES, runChannel, type RunStatus } from '../events/types.js';
import type { EventHub } from '../events/hub.js';
import { ignoreForbidden } from './transitions.js';
import type { RunQueue } from '../queue/run-queue.js';
import { finishRun } from './holder-status.js';
import { writeAsLeaseHolder } from './writer.js';
import { logger } from '../logger.js';

/** How long stopAgentRun waits for the worker to confirm before returning the run as it is. */
const STOP_CONFIRM_TIMEOUT_MS = 3000;

export interface StopDeps {
  db: PrismaClient;
  redis: Redis;
  events: EventHub;
  runQueue: RunQueue;
}

export async function stopRun(deps: StopDeps, runId: string): Promise<void> {
  const { db, runQueue } = deps;
  const run = await db.agentRun.findUnique({ where: { id: runId }, select: { status: true, projectId: true } });
  if (!run) throw notFound('Agent run');
  if (FINAL_RUN_STATUSES.includes(run.status as RunStatus)) {
    throw conflict(`This run already finished (${run.status}); only a QUEUED, RUNNING or INTERRUPTED run can be stopped.`);
  }
  // The fallback's record (see above).
  await db.agentRun.update({ where: { id: runId }, data: { stopRequested: true } });

  if (await runQueue.removeIfNotActive(runId)) {
    // No job is left, so no worker can pick the run up any more. Unless a live copy holds its lease (it gets the
    // relayed stop below), this process is its only writer now: the claim fences off any copy still running.
    const stopped = await writeAsLeaseHolder(deps, { id: runId, projectId: run.projectId }, 'api-stop', async (writer) => {
      const usage = await finishRun(writer, { status: 'CANCELLED', stopReason: 'stopped', message: 'Stopped before a worker started it.' }).catch(ignoreForbidden);
      if (usage) logger.info({ runId, projectId: run.projectId, status: 'CANCELLED' }, 'run stopped before a worker took it');
    });
    if (!stopped.held) return;
  }

  const finished = await watchForComplete(deps, runId, STOP_CONFIRM_TIMEOUT_MS);
  await runQueue.relayCancel(runId);
  logger.info({ runId, projectId: run.projectId, queue: runQueue.name }, 'stop relayed to the workers');
  await finished.done;
}

/** Once subscribed: `done` resolves when the run's COMPLETE event is published (or it was final already), or on timeout. */
async function watchForComplete(deps: StopDeps, runId: string, timeoutMs: number): Promise<{ done: Promise<void> }> {
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const unsubscribe = await deps.events.subscribe(runChannel(runId), (events) => {
    if (events.some((e) => e.type === 'COMPLETE')) resolveDone();
  });
  const timer = setTimeout(resolveDone, timeoutMs);
  // Its COMPLETE may have been published before the subscription: one look at the row covers that.
  const row = await deps.db.agentRun.findUnique({ where: { id: runId }, select: { status: true } }).catch(() => null);
  if (!row || FINAL_RUN_STATUSES.includes(row.status as RunStatus)) resolveDone();
  return {
    done: done.finally(() => {
      clearTimeout(timer);
      unsubscribe();
    }),
  };
}

