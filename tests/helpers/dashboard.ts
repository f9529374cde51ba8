// The dashboard project: features from feature_list.json, epics with children, each epic linked to two features.
import { gqlOk } from './api.js';
import { createProject, feature, setFeaturesPassing, writeFeatureList, type User } from './foundation.js';
import { CreateWorkItemDocument, SyncFeaturesDocument, type CreateWorkItemInput } from '../generated/graphql.js';

export async function seedDashboardProject(
  api: { url: string; databaseUrl: string },
  owner: User,
  { name, features, epics, childrenPerEpic }: { name: string; features: number; epics: number; childrenPerEpic: number },
): Promise<string> {
  const project = await createProject(api, owner, name);
  await writeFeatureList(api, project.id, Array.from({ length: features }, (_, i) => feature(i)));
  const rows = (await gqlOk(api, SyncFeaturesDocument, { projectId: project.id }, owner.token)).syncFeatures.added;
  await setFeaturesPassing(api, project.id, rows.flatMap((row) => (row.index % 3 === 0 ? [row.index] : [])));
  const create = (input: CreateWorkItemInput) => gqlOk(api, CreateWorkItemDocument, { input }, owner.token).then((d) => d.createWorkItem);
  for (let e = 0; e < epics; e++) {
    const featureIds = [rows[(2 * e) % rows.length].id, rows[(2 * e + 1) % rows.length].id];
    const epic = await create({ projectId: project.id, type: 'EPIC', title: `Epic ${e}`, featureIds });
    for (let c = 0; c < childrenPerEpic; c++) {
      await create({ projectId: project.id, type: c % 2 ? 'BUG' : 'STORY', title: `Epic ${e} child ${c}`, parentId: epic.id });
    }
  }
  return project.id;
}
