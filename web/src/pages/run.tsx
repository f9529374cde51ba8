import { Link, useParams } from 'wouter';
import { AgentTerminal } from '../../../client/src/react/index.js';
import { RunPageDocument } from '../generated/graphql.js';
import { useGql } from '../use-gql.js';

export function RunPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error } = useGql(RunPageDocument, { id });
  if (error) return <p className="error">{error.message}</p>;
  const project = data?.agentRun?.project;
  return (
    <section>
      <h1>
        Run {project ? <>of <Link href={`/projects/${project.id}/runs`}>{project.name}</Link></> : null}
      </h1>
      <AgentTerminal runId={id} projectId={project?.id} height={Math.max(300, window.innerHeight - 220)} />
    </section>
  );
}
