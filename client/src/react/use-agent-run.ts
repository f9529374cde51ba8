// useAgentRun(projectId): the project's latest run (or a given one), its live events (followRun, batched per frame),
// feature progress, and start/stop — the seed's `{ run, startRun, stopRun, isRunning, events, progress, error }`.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Client } from '@urql/core';
import { followRun, type RunEvent } from '../follow-run.js';
import { loadFeatureStates } from '../feature-states.js';
import { applyFeatureEvent, progressOf, type FeatureStates, type FeatureStatsLike, type Progress } from '../progress.js';
import {
  AgentRunByIdDocument,
  ProjectRunStateDocument,
  StartRunDocument,
  StopRunDocument,
  type RunFieldsFragment,
  type StartAgentRunInput,
} from '../generated/graphql.js';
import { useShipyardClient } from './context.js';

export type AgentRun = RunFieldsFragment;

export interface UseAgentRunOptions {
  /** Follow this run instead of the project's latest. */
  runId?: string | null;
  client?: Client;
}

export interface UseAgentRun {
  run: AgentRun | null;
  startRun: (input?: Omit<StartAgentRunInput, 'projectId'>) => Promise<AgentRun | null>;
  stopRun: () => Promise<AgentRun | null>;
  /** Not finished: QUEUED, RUNNING, INTERRUPTED or PAUSED (a paused run resumes, and can be stopped). */
  isRunning: boolean;
  events: readonly RunEvent[];
  progress: Progress;
  error: Error | null;
}

// PAUSED is not finished: it holds the project and resumes (by resumeAgentRun, a message or a rate-limit timer), so
// its run is followed and its newer STATUS events apply like any active run's.
const ACTIVE = new Set(['QUEUED', 'RUNNING', 'INTERRUPTED', 'PAUSED']);
/** Events after which the run row (status, cost, stop reason) is worth fetching again. */
const REFRESH_ON = new Set(['STATUS', 'COMMIT', 'FEATURE', 'TEST', 'COMPLETE']);

const nextFrame = (fn: () => void) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(fn) : setTimeout(fn, 16));

export function useAgentRun(projectId: string | null | undefined, options: UseAgentRunOptions = {}): UseAgentRun {
  const client = useShipyardClient(options.client);
  const [run, setRun] = useState<AgentRun | null>(null);
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [states, setStates] = useState<FeatureStates>(new Map());
  const [stats, setStats] = useState<FeatureStatsLike | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const runId = run?.id ?? null;
  const fail = useCallback((e: unknown) => setError(e instanceof Error ? e : new Error(String(e))), []);

  const loadProject = useCallback(
    async (id: string, pickLatest: boolean) => {
      const result = await client.query(ProjectRunStateDocument, { projectId: id }, { requestPolicy: 'network-only' }).toPromise();
      if (result.error) throw result.error;
      const project = result.data?.project;
      if (!project) throw new Error('Project not found');
      setStats(project.featureStats);
      if (pickLatest) setRun(project.agentRuns.edges[0]?.node ?? null);
      setStates(await loadFeatureStates(client, id));
    },
    [client],
  );

  const refreshRun = useCallback(
    async (id: string) => {
      const result = await client.query(AgentRunByIdDocument, { id }, { requestPolicy: 'network-only' }).toPromise();
      if (result.data?.agentRun) setRun(result.data.agentRun);
    },
    [client],
  );

  // What to show: the given run, else the project's latest.
  // (Events are reset by the follow effect below when the run changes, never here: a projectId arriving after the
  // run must not clear what is already being followed.)
  useEffect(() => {
    setError(null);
    if (options.runId) {
      refreshRun(options.runId).catch(fail);
      if (projectId) loadProject(projectId, false).catch(fail);
    } else if (projectId) loadProject(projectId, true).catch(fail);
    else setRun(null);
  }, [projectId, options.runId, loadProject, refreshRun, fail]);

  // The run's events, from the first, live; state updates are batched per animation frame.
  useEffect(() => {
    if (!runId) return;
    const controller = new AbortController();
    let pending: RunEvent[] = [];
    let scheduled = false;
    let refreshing = false;
    const flush = () => {
      scheduled = false;
      const batch = pending;
      pending = [];
      if (controller.signal.aborted || !batch.length) return;
      setEvents((prev) => prev.concat(batch));
      setStates((prev) => batch.reduce(applyFeatureEvent, prev));
      if (!refreshing && batch.some((e) => REFRESH_ON.has(e.type))) {
        refreshing = true;
        refreshRun(runId)
          .catch(() => {})
          .finally(() => (refreshing = false));
      }
    };
    setEvents([]);
    (async () => {
      for await (const event of followRun(client, runId, { signal: controller.signal })) {
        pending.push(event);
        if (!scheduled) {
          scheduled = true;
          nextFrame(flush);
        }
      }
      flush();
      if (!controller.signal.aborted) await refreshRun(runId);
    })().catch((e) => !controller.signal.aborted && fail(e));
    return () => controller.abort();
  }, [client, runId, refreshRun, fail]);

  const startRun = useCallback(
    async (input: Omit<StartAgentRunInput, 'projectId'> = {}) => {
      if (!projectId) throw new Error('useAgentRun: no project to start a run for');
      const result = await client.mutation(StartRunDocument, { input: { ...input, projectId } }).toPromise();
      if (result.error) {
        setError(result.error);
        return null;
      }
      setError(null);
      setEvents([]);
      setRun(result.data!.startAgentRun);
      return result.data!.startAgentRun;
    },
    [client, projectId],
  );

  const runRef = useRef(run);
  runRef.current = run;
  const stopRun = useCallback(async () => {
    const current = runRef.current;
    if (!current) return null;
    const result = await client.mutation(StopRunDocument, { id: current.id }).toPromise();
    if (result.error) {
      setError(result.error);
      return null;
    }
    setRun(result.data!.stopAgentRun);
    return result.data!.stopAgentRun;
  }, [client]);

  // The newest STATUS/COMPLETE event may be ahead of the last fetched run row (a PAUSED one carries its reason).
  const latest = useMemo(() => {
    for (let i = events.length - 1; i >= 0; i--) {
      const data = events[i].data;
      if (data?.__typename === 'CompleteEvent') return { status: data.status, pausedReason: null, resumeAt: null };
      if (data?.__typename === 'StatusEvent') return { status: data.status, pausedReason: data.reason ?? null, resumeAt: data.resumeAt ?? null };
    }
    return null;
  }, [events]);
  const current = run && latest && latest.status !== run.status && ACTIVE.has(run.status) ? { ...run, ...latest } : run;
  const progress = useMemo(() => progressOf(states, stats), [states, stats]);

  return { run: current, startRun, stopRun, isRunning: !!current && ACTIVE.has(current.status), events, progress, error };
}
