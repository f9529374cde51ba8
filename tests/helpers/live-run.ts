// A run whose events a test writes as a worker would (persist, then publish on the API's Redis), for the tests of the
// live paths: a RUNNING row and the real event sink.
import type { Redis } from 'ioredis';
import { getDb } from '../../src/db/client.js';
import { createRunEventSink, type RunEventSink } from '../../src/events/sink.js';
import { rawId, toGlobalId } from './global-id.js';

export interface LiveRun {
  /** The row's id (REST accepts it). */
  runId: string;
  /** The run's global id (GraphQL). */
  globalId: string;
  /** The project's row id. */
  projectId: string;
  sink: RunEventSink;
}

/** `project`: the project's global id. Uses the API process's database client (getDb). */
export async function startLiveRun(api: { services: { redis: Redis } }, project: string): Promise<LiveRun> {
  const run = await getDb().agentRun.create({ data: { projectId: rawId(project), status: 'RUNNING', startedAt: new Date() } });
  const sink = await createRunEventSink({ db: getDb(), redis: api.services.redis, runId: run.id, projectId: run.projectId });
  return { runId: run.id, globalId: toGlobalId('AgentRun', run.id), projectId: run.projectId, sink };
}

/** Emits TEXT events "line <from>" to "line <to>" and waits until they are stored and published. */
export async function emitLines(sink: RunEventSink, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) sink.emit({ type: 'TEXT', payload: { text: `line ${n}` } });
  await sink.flush();
}

/** Emits `count` TEXT events numbered by their seq ("line <seq>"). */
export const emitText = (sink: RunEventSink, count: number) => emitLines(sink, sink.lastSeq + 1, sink.lastSeq + count);
