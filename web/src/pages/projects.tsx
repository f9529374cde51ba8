import { Link } from 'wouter';
import { ProjectsDocument } from '../generated/graphql.js';
import { useGql } from '../use-gql.js';
import { Status } from '../widgets.js';

export function ProjectsPage() {
  const { data, error } = useGql(ProjectsDocument, {});
  if (error) return <p className="error">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  const projects = data.projects.edges.map((e) => e.node);
  return (
    <section>
      <h1>Projects</h1>
      {projects.length === 0 ? (
        <p>
          No projects yet. <Link href="/new">Create one from an app spec</Link>.
        </p>
      ) : (
        <table className="list">
          <thead>
            <tr><th>Project</th><th>Features</th><th>Latest run</th><th>Updated</th></tr>
          </thead>
          <tbody>
            {projects.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link href={`/projects/${p.id}`}>{p.name}</Link> <span className="muted">{p.slug}</span>
                </td>
                <td>{p.featureStats.passing}/{p.featureStats.total} passing</td>
                <td>{p.agentRuns.edges[0] ? <Status status={p.agentRuns.edges[0].node.status} /> : <span className="muted">never run</span>}</td>
                <td className="muted">{new Date(p.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
