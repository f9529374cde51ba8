import { useParams } from 'wouter';
import { CommitDiffDocument } from '../generated/graphql.js';
import { useGql } from '../use-gql.js';

const lineClass = (line: string) =>
  line.startsWith('+++') || line.startsWith('---') ? 'd-file' : line.startsWith('+') ? 'd-add' : line.startsWith('-') ? 'd-del' : line.startsWith('@@') ? 'd-hunk' : '';

export function CommitPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error } = useGql(CommitDiffDocument, { id });
  if (error) return <p className="error">{error.graphQLErrors[0]?.message ?? error.message}</p>;
  const commit = data?.node?.__typename === 'Commit' ? data.node : null;
  if (!commit) return <p>Loading…</p>;
  return (
    <section>
      <h1><code>{commit.sha.slice(0, 10)}</code> {commit.message.split('\n')[0]}</h1>
      <p className="muted">{new Date(commit.committedAt).toLocaleString()} · {commit.filesChanged.length} files</p>
      {commit.diff ? (
        <>
          {commit.diff.truncated ? <p className="muted">The diff is cut at its size limit.</p> : null}
          <pre className="diff">
            {commit.diff.patch.split('\n').map((line, i) => (
              <div key={i} className={lineClass(line)}>{line || ' '}</div>
            ))}
          </pre>
        </>
      ) : (
        <p className="muted">This commit is no longer in the workspace.</p>
      )}
    </section>
  );
}
