// run start, run tail, run stop.
import type { Command } from 'commander';
import { graphql, type Session } from '../api.js';
import { EXIT, usageError } from '../errors.js';
import { print, type OutputOptions } from '../output.js';
import { resolveProject } from '../projects.js';
import { followRun } from '../follow.js';
import { RunView, type Progress } from '../view.js';

type Globals = () => Promise<{ session: Session; output: OutputOptions }>;

const RUN = 'id status stopReason error maxSessions budgetUsd project { slug name } usage { costUsd }';

interface Run {
  id: string;
  status: string;
  stopReason: string | null;
  error: string | null;
  project: { slug: string; name: string };
  usage: { costUsd: number };
}

const FINAL_OK = 'SUCCEEDED';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Runs are named by their id: a global id, or the raw UUID GraphQL would not take. */
const runId = (ref: string) => (UUID.test(ref) ? Buffer.from(`AgentRun:${ref}`).toString('base64') : ref);
const PROGRESS_EVERY_MS = 2000;

async function progressOf(session: Session, runId: string): Promise<Progress> {
  const { agentRun } = await graphql<{ agentRun: { status: string; usage: { costUsd: number }; project: { featureStats: { total: number; passing: number } } } }>(
    session,
    `query($id: ID!) { agentRun(id: $id) { status usage { costUsd } project { featureStats { total passing } } } }`,
    { id: runId },
  );
  return { status: agentRun.status, costUsd: agentRun.usage.costUsd, ...agentRun.project.featureStats };
}

/** Follows a run to its end; the exit code: 0 when it SUCCEEDED, 1 otherwise. */
async function tail(session: Session, output: OutputOptions, id: string, afterSeq: number): Promise<number> {
  const view = output.json ? undefined : new RunView();
  let refreshing: Promise<void> | undefined;
  const refresh = () => {
    if (!view || refreshing) return;
    refreshing = progressOf(session, id)
      .then((p) => view.update(p))
      .catch(() => {}) // progress is decoration: the event stream reports failures
      .finally(() => (refreshing = undefined));
  };
  refresh();
  const timer = setInterval(refresh, PROGRESS_EVERY_MS);
  try {
    const complete = await followRun(session, id, afterSeq, (event) => {
      if (output.json) process.stdout.write(JSON.stringify(event) + '\n');
      else {
        view!.event(event);
        if (event.type === 'FEATURE' || event.type === 'STATUS') refresh();
      }
    });
    if (view) {
      await refreshing;
      view.update(await progressOf(session, id).catch(() => ({ status: String(complete.payload.status), passing: 0, total: 0, costUsd: 0 })));
      view.close();
    }
    return complete.payload.status === FINAL_OK ? EXIT.ok : EXIT.failed;
  } finally {
    clearInterval(timer);
  }
}

const positiveInt = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw usageError(`--max-sessions must be a whole number of at least 1 (got ${value}).`);
  return Number(value);
};
const positiveNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw usageError(`--budget must be a number of dollars above 0 (got ${value}).`);
  return n;
};

export function registerRuns(program: Command, globals: Globals, setExitCode: (code: number) => void): void {
  const run = program.command('run').description('Start, follow and stop agent runs');
  run
    .command('start <project>')
    .description('Start a run of a project (by id, slug or name)')
    .option('-f, --follow', 'follow the run until it ends (exit 0 when it SUCCEEDED, 1 when not)')
    .option('--max-sessions <n>', 'stop after this many sessions', positiveInt)
    .option('--budget <usd>', 'stop once this many US dollars are spent', positiveNumber)
    .action(async (ref: string, opts: { follow?: boolean; maxSessions?: number; budget?: number }) => {
      const { session, output } = await globals();
      const project = await resolveProject(session, ref);
      const { startAgentRun } = await graphql<{ startAgentRun: Run }>(session, `mutation($input: StartAgentRunInput!) { startAgentRun(input: $input) { ${RUN} } }`, {
        input: { projectId: project.id, maxSessions: opts.maxSessions, budgetUsd: opts.budget },
      });
      print(output, startAgentRun, () => `Started run ${startAgentRun.id} of ${project.name} (${startAgentRun.status}).` + (opts.follow ? '' : `\nFollow it: shipyard run tail ${startAgentRun.id}`));
      if (opts.follow) setExitCode(await tail(session, output, startAgentRun.id, 0));
    });

  run
    .command('tail <run>')
    .description('Follow a run live until it ends (exit 0 when it SUCCEEDED, 1 when not)')
    .option('--after-seq <seq>', 'start after this event seq (default: from the beginning)', (v) => {
      if (!/^\d+$/.test(v)) throw usageError(`--after-seq must be a whole number (got ${v}).`);
      return Number(v);
    })
    .action(async (ref: string, opts: { afterSeq?: number }) => {
      const { session, output } = await globals();
      setExitCode(await tail(session, output, runId(ref), opts.afterSeq ?? 0));
    });

  run
    .command('stop <run>')
    .description('Stop an active run')
    .action(async (ref: string) => {
      const { session, output } = await globals();
      const { stopAgentRun } = await graphql<{ stopAgentRun: Run }>(session, `mutation($id: ID!) { stopAgentRun(id: $id) { ${RUN} } }`, { id: runId(ref) });
      print(output, stopAgentRun, () => `Stopping run ${stopAgentRun.id} (${stopAgentRun.status}).`);
    });
}
