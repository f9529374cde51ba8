import { useShipyardClient } from '../../../client/src/react/index.js';
import { ProjectWorkItemsDocument, UpdateWorkItemStatusDocument, type WorkItemStatus } from '../generated/graphql.js';
import { useGql } from '../use-gql.js';

const STATUSES: WorkItemStatus[] = ['TODO', 'IN_PROGRESS', 'IN_REVIEW', 'DONE', 'CANCELLED'];

export function WorkItemsTab({ projectId }: { projectId: string }) {
  const client = useShipyardClient();
  const { data, error, reload } = useGql(ProjectWorkItemsDocument, { id: projectId });
  if (error) return <p className="error">{error.message}</p>;
  if (!data?.project) return <p>Loading…</p>;
  const items = data.project.workItems.edges.map((e) => e.node);
  const move = async (id: string, status: WorkItemStatus) => {
    await client.mutation(UpdateWorkItemStatusDocument, { input: { id, status } }).toPromise();
    reload();
  };
  if (!items.length) return <p className="muted">No work items.</p>;
  return (
    <div className="board">
      {STATUSES.map((status) => (
        <div key={status} className="column">
          <h3>{status}</h3>
          {items
            .filter((i) => i.status === status)
            .map((i) => (
              <div key={i.id} className="item">
                <div>
                  <b>{i.key}</b> <span className="tag">{i.type}</span> <span className="tag">{i.priority}</span>
                </div>
                <div>{i.title}</div>
                {i.parent ? <div className="muted">↳ in {i.parent.key}</div> : null}
                <select aria-label={`status of ${i.key}`} value={i.status} onChange={(e) => move(i.id, e.target.value as WorkItemStatus)}>
                  {STATUSES.map((s) => <option key={s}>{s}</option>)}
                </select>
              </div>
            ))}
        </div>
      ))}
    </div>
  );
}
