// One project: header with progress and "Start run", and tabs for features, work items, agents, runs, commits and
// test results, and the workspace's files.
import { useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { useAgentRun } from '../../../client/src/react/index.js';
import { ProjectPageDocument } from '../generated/graphql.js';
import { useGql } from '../use-gql.js';
import { ProgressBar, Status } from '../widgets.js';
import { FeaturesTab } from './project-features.js';
import { WorkItemsTab } from './project-work-items.js';
import { AgentsTab } from './project-agents.js';
import { RunsTab } from './project-runs.js';
import { CommitsTab } from './project-commits.js';
import { FilesTab } from './project-files.js';

const TABS = [
  ['features', 'Features'],
  ['work-items', 'Work items'],
  ['agents', 'Agents'],
  ['runs', 'Runs'],
  ['commits', 'Commits & tests'],
  ['files', 'Files'],
] as const;

export function ProjectPage() {
  const { id, tab = 'features' } = useParams<{ id: string; tab?: string }>();
  const { data, error } = useGql(ProjectPageDocument, { id });
  const { run, startRun, isRunning, progress, error: runError } = useAgentRun(id);
  const [, navigate] = useLocation();
  const [starting, setStarting] = useState(false);
  if (error) return <p className="error">{error.message}</p>;
  if (!data?.project) return <p>Loading…</p>;
  const project = data.project;
  const start = async () => {
    setStarting(true);
    const started = await startRun();
    setStarting(false);
    if (started) navigate(`/runs/${started.id}`);
  };
  return (
    <section>
      <div className="project-head">
        <div>
          <h1>{project.name}</h1>
          <p className="muted">{project.slug} · {project.description}</p>
        </div>
        <div className="actions">
          <ProgressBar passing={progress.passing} total={progress.total} />
          <span>{progress.passing}/{progress.total} passing</span>
          {run ? (
            <Link href={`/runs/${run.id}`}>
              latest run <Status status={run.status} reason={run.pausedReason} />
            </Link>
          ) : null}
          <button onClick={start} disabled={starting || isRunning}>
            {run?.status === 'PAUSED' ? 'Paused' : isRunning ? 'Running…' : 'Start run'}
          </button>
        </div>
      </div>
      {runError ? <p className="error" role="alert">{runError.message}</p> : null}
      <nav className="tabs">
        {TABS.map(([key, label]) => (
          <Link key={key} href={`/projects/${id}/${key}`} className={tab === key ? 'active' : ''}>
            {label}
          </Link>
        ))}
      </nav>
      {tab === 'features' ? <FeaturesTab projectId={id} /> : null}
      {tab === 'work-items' ? <WorkItemsTab projectId={id} /> : null}
      {tab === 'agents' ? <AgentsTab projectId={id} /> : null}
      {tab === 'runs' ? <RunsTab projectId={id} /> : null}
      {tab === 'commits' ? <CommitsTab projectId={id} /> : null}
      {tab === 'files' ? <FilesTab projectId={id} /> : null}
    </section>
  );
}
