import { Link } from 'wouter';
import { ProjectRunsDocument } from '../generated/graphql.js';
import { useGql } from '../use-gql.js';
import { duration, money, Status } from '../widgets.js';

export function RunsTab({ projectId }: { projectId: string }) {
  const { data, error } = useGql(ProjectRunsDocument, { id: projectId });
  if (error) return <p className="error">{error.message}</p>;
  if (!data?.project) return <p>Loading…</p>;
  const runs = data.project.agentRuns.edges.map((e) => e.node);
  if (!runs.length) return <p className="muted">No runs yet.</p>;
  return (
    <table className="list">
      <thead>
        <tr><th>Run</th><th>Status</th><th>Stop reason</th><th>Sessions</th><th>Cost</th><th>Duration</th><th>Queued</th></tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td><Link href={`/runs/${r.id}`}>{r.agent?.name ?? 'run'} · {r.id.slice(-6)}</Link></td>
            <td><Status status={r.status} reason={r.pausedReason} /></td>
            <td>{r.stopReason ?? r.error ?? '—'}</td>
            <td>{r.sessionsCompleted}</td>
            <td>{money(r.usage.costUsd)}</td>
            <td>{duration(r.startedAt, r.finishedAt)}</td>
            <td className="muted">{new Date(r.queuedAt).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
