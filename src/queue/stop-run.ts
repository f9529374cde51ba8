// stopAgentRun: a queued (or waiting) run is cancelled here; a run a worker holds is aborted there, via Redis.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { conflict, notFound } from '../errors.js';
import { createRunEventSink } from '../events/sink.js';
import { FINAL_RUN_STATUSES, runChannel, type RunStatus } from '../events/types.js';
import type { EventHub } from '../events/hub.js';
import { ACTIVE_RUN_STATUSES } from './names.js';
import type { RunQueue } from './run-queue.js';
import { finishRun } from './run-status.js';
import { claimLease, leaseOwnerName, releaseLease } from './run-lease.js';
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
  // Seen by the worker before each session and by a worker that picks the job up later.
  await db.agentRun.update({ where: { id: runId }, data: { stopRequested: true } });

  if (await runQueue.removeIfNotActive(runId)) {
    // No job is left, so no worker can pick the run up any more. If no copy holds its lease either, this process
    // is its only writer now (the claim fences off any copy still running); otherwise the holder gets the stop.
    const claim = await claimLease(db, runId, leaseOwnerName('api-stop'));
    if (claim.status === 'claimed') {
      try {
        const current = await db.agentRun.findUnique({ where: { id: runId }, select: { status: true } });
        if (current && (ACTIVE_RUN_STATUSES as readonly string[]).includes(current.status)) {
          const sink = await createRunEventSink({ db, redis: deps.redis, runId, projectId: run.projectId, epoch: claim.epoch });
          try {
            await finishRun(db, sink, runId, { status: 'CANCELLED', stopReason: 'stopped', message: 'Stopped before a worker started it.' }, claim.epoch);
            logger.info({ runId, projectId: run.projectId, status: 'CANCELLED' }, 'run stopped before a worker took it');
          } finally {
            await sink.close().catch(() => {});
          }
        }
      } finally {
        await releaseLease(db, runId, claim.epoch);
      }
      return;
    }
  }

  const finished = await watchForComplete(deps, runId, STOP_CONFIRM_TIMEOUT_MS);
  await runQueue.relayCancel(runId);
  logger.info({ runId, projectId: run.projectId, queue: runQueue.name }, 'stop relayed to the workers');
  await finished.done;
}

/** Once subscribed: `done` resolves when the run's COMPLETE event is published or it is final in Postgres, or on timeout. */
async function watchForComplete(deps: StopDeps, runId: string, timeoutMs: number): Promise<{ done: Promise<void> }> {
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const unsubscribe = await deps.events.subscribe(runChannel(runId), (events) => {
    if (events.some((e) => e.type === 'COMPLETE')) resolveDone();
  });
  const poll = setInterval(async () => {
    const row = await deps.db.agentRun.findUnique({ where: { id: runId }, select: { status: true } }).catch(() => null);
    if (!row || FINAL_RUN_STATUSES.includes(row.status as RunStatus)) resolveDone();
  }, 250);
  const timer = setTimeout(resolveDone, timeoutMs);
  return {
    done: done.finally(() => {
      clearInterval(poll);
      clearTimeout(timer);
      unsubscribe();
    }),
  };
}
