import { Link } from 'wouter';
import { ProjectCommitsDocument } from '../generated/graphql.js';
import { useGql } from '../use-gql.js';

export function CommitsTab({ projectId }: { projectId: string }) {
  const { data, error } = useGql(ProjectCommitsDocument, { id: projectId });
  if (error) return <p className="error">{error.message}</p>;
  if (!data?.project) return <p>Loading…</p>;
  const commits = data.project.commits.edges.map((e) => e.node);
  const tests = data.project.testResults.edges.map((e) => e.node);
  return (
    <div className="two">
      <div>
        <h3>Commits</h3>
        {commits.length ? (
          <ul className="commits">
            {commits.map((c) => (
              <li key={c.id}>
                <Link href={`/commits/${c.id}`}>
                  <code>{c.sha.slice(0, 8)}</code> {c.message.split('\n')[0]}
                </Link>
                <span className="muted"> · {c.filesChanged.length} files · {new Date(c.committedAt).toLocaleString()}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No commits yet.</p>
        )}
      </div>
      <div>
        <h3>Test results</h3>
        {tests.length ? (
          tests.map((t) => (
            <details key={t.id} className={`test ${t.passed ? 'pass' : 'fail'}`}>
              <summary>
                {t.passed ? '✔' : '✘'} <code>{t.command}</code> <span className="muted">exit {t.exitCode ?? '—'} · {t.durationMs} ms</span>
              </summary>
              <pre>{t.outputTail}</pre>
            </details>
          ))
        ) : (
          <p className="muted">No test runs yet.</p>
        )}
      </div>
    </div>
  );
}
