import { useEffect, useState } from 'react';
import { useShipyardClient } from '../../../client/src/react/index.js';
import { FeaturesPageDocument, type FeaturesPageQuery } from '../generated/graphql.js';

type Connection = NonNullable<FeaturesPageQuery['project']>['features'];
type Feature = Connection['edges'][number]['node'];

/** Every feature row, a page at a time (the API's cost limit counts `first`). */
function useAllFeatures(projectId: string) {
  const client = useShipyardClient();
  const [features, setFeatures] = useState<Feature[] | null>(null);
  useEffect(() => {
    let live = true;
    (async () => {
      const rows: Feature[] = [];
      let after: string | null = null;
      for (let page = 0; page < 40; page++) {
        const result = await client.query(FeaturesPageDocument, { id: projectId, after }, { requestPolicy: 'network-only' }).toPromise();
        const connection: Connection | undefined = result.data?.project?.features;
        if (!connection) break;
        rows.push(...connection.edges.map((e) => e.node));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor ?? null;
      }
      if (live) setFeatures(rows);
    })();
    return () => {
      live = false;
    };
  }, [client, projectId]);
  return features;
}

export function FeaturesTab({ projectId }: { projectId: string }) {
  const features = useAllFeatures(projectId);
  if (!features) return <p>Loading…</p>;
  if (!features.length) return <p className="muted">No features yet: the first run's initializer session writes feature_list.json from the app spec.</p>;
  const columns = [
    ['Failing', features.filter((f) => !f.passes)],
    ['Passing', features.filter((f) => f.passes)],
  ] as const;
  return (
    <div className="board">
      {columns.map(([title, list]) => (
        <div key={title} className="column">
          <h3>{title} ({list.length})</h3>
          {list.map((f) => (
            <details key={f.id} className={`feature ${f.passes ? 'pass' : 'fail'}`}>
              <summary>
                <span className="muted">#{f.index}</span> {f.description} <span className="tag">{f.category}</span>
              </summary>
              <ol>{f.steps.map((s, i) => <li key={i}>{s}</li>)}</ol>
            </details>
          ))}
        </div>
      ))}
    </div>
  );
}
