// Every feature row's state of a project (index → passes), read a page at a time (the API's cost limit counts
// `first`, so one huge page would be refused).
import type { Client } from '@urql/core';
import { FeatureStatesPageDocument, type FeatureStatesPageQuery } from './generated/graphql.js';
import { featureStates } from './progress.js';

type Page = NonNullable<FeatureStatesPageQuery['project']>['features'];

export async function loadFeatureStates(client: Client, projectId: string, maxPages = 50): Promise<Map<number, boolean>> {
  const rows: Array<{ index: number; passes: boolean }> = [];
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const result = await client.query(FeatureStatesPageDocument, { projectId, after }, { requestPolicy: 'network-only' }).toPromise();
    if (result.error) throw result.error;
    const features: Page | undefined = result.data?.project?.features;
    if (!features) break;
    rows.push(...features.edges.map((e) => e.node));
    if (!features.pageInfo.hasNextPage) break;
    after = features.pageInfo.endCursor ?? null;
  }
  return featureStates(rows);
}
