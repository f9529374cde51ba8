// syncFeatures over HTTP: rows follow feature_list.json by index and content hash, in place, and report the changes.
import { describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk, } from './helpers/api.js';
import { createProject, feature, fingerprint, sql, writeFeatureList, rawId, useApiWithOwner } from './helpers/foundation.js';
import { ProjectFeaturesDocument, SyncFeaturesDocument } from './generated/graphql.js';

const t = useApiWithOwner();

describe('syncFeatures', () => {
  it('adds, changes, flips and removes rows, keeping row ids of entries that stay', async () => {
    const project = await createProject(t.api, t.owner, 'Sync App');
    await writeFeatureList(t.api, project.id, [feature(0), feature(1), feature(2, true)]);
    const first = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token)).syncFeatures;
    expect(first).toMatchObject({ addedCount: 3, changedCount: 0, removedCount: 0, unchangedCount: 0, newlyPassing: [2] });
    expect(first.added.map((f) => [f.index, f.passes])).toEqual([[0, false], [1, false], [2, true]]);
    expect(first.featureStats).toEqual({ total: 3, passing: 1, failing: 2 });
    const idsBefore = first.added.map((f) => f.id);

    // Same file again: nothing to do.
    const again = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token)).syncFeatures;
    expect(again).toMatchObject({ addedCount: 0, changedCount: 0, removedCount: 0, unchangedCount: 3 });

    // Entry 0 passes now, entry 1 is reworded, entry 2 is gone, entry 3 and 4 are new.
    const reworded = { ...feature(1), description: 'Feature one, reworded' };
    await writeFeatureList(t.api, project.id, [feature(0, true), reworded]);
    const shrink = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token)).syncFeatures;
    expect(shrink).toMatchObject({ addedCount: 0, changedCount: 2, removedCount: 1, unchangedCount: 0, newlyPassing: [0] });
    expect(shrink.changed.map(({ feature: _f, ...change }) => change)).toEqual([
      { index: 0, contentChanged: false, passesChanged: true, passes: true },
      { index: 1, contentChanged: true, passesChanged: false, passes: false },
    ]);
    expect(shrink.changed[0].feature).toMatchObject({ id: idsBefore[0], passes: true });
    expect(shrink.changed[0].feature.passedAt).toBeTruthy();
    expect(shrink.changed[1].feature).toMatchObject({ id: idsBefore[1], description: 'Feature one, reworded' });
    expect(shrink.removed).toEqual([{ index: 2, description: 'Feature number 2' }]);

    await writeFeatureList(t.api, project.id, [feature(0, false), reworded, feature(7), feature(8, true)]);
    const grow = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token)).syncFeatures;
    expect(grow).toMatchObject({ addedCount: 2, changedCount: 1, removedCount: 0, unchangedCount: 1, newlyPassing: [3] });
    expect(grow.changed[0]).toMatchObject({ index: 0, passesChanged: true, passes: false, feature: { passedAt: null } });

    const rows = await sql(t.api, 'SELECT index, description, passes, "contentHash" FROM "Feature" WHERE "projectId" = $1 ORDER BY index', [rawId(project.id)]);
    expect(rows.map((r) => [r.index, r.description, r.passes])).toEqual([
      [0, 'Feature number 0', false],
      [1, 'Feature one, reworded', false],
      [2, 'Feature number 7', false],
      [3, 'Feature number 8', true],
    ]);
    expect(new Set(rows.map((r) => r.contentHash)).size).toBe(4);
  });

  it('pages and filters Project.features and counts featureStats', async () => {
    const project = await createProject(t.api, t.owner, 'Paging App');
    await writeFeatureList(t.api, project.id, Array.from({ length: 7 }, (_, i) => feature(i, i % 2 === 0)));
    await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token);
    const page1 = (await gqlOk(t.api, ProjectFeaturesDocument, { id: project.id, first: 3 }, t.owner.token)).project!;
    expect(page1.featureStats).toEqual({ total: 7, passing: 4, failing: 3 });
    expect(page1.features.totalCount).toBe(7);
    expect(page1.features.edges.map((e) => e.node.index)).toEqual([0, 1, 2]);
    expect(page1.features.pageInfo.hasNextPage).toBe(true);
    const page2 = (await gqlOk(t.api, ProjectFeaturesDocument, { id: project.id, first: 10, after: page1.features.pageInfo.endCursor }, t.owner.token)).project!;
    expect(page2.features.edges.map((e) => e.node.index)).toEqual([3, 4, 5, 6]);
    const failing = (await gqlOk(t.api, ProjectFeaturesDocument, { id: project.id, first: 10, passes: false }, t.owner.token)).project!;
    expect(failing.features.edges.map((e) => e.node.index)).toEqual([1, 3, 5]);
    expect(failing.features.totalCount).toBe(3);
  });

  it('rejects a malformed or missing file with BAD_USER_INPUT naming the problem, changing nothing', async () => {
    const project = await createProject(t.api, t.owner, 'Broken App');
    const missing = await gql(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token);
    expect(errorCodes(missing)).toEqual(['BAD_USER_INPUT']);
    expect(missing.errors![0].message).toMatch(/no feature_list\.json/);

    await writeFeatureList(t.api, project.id, [feature(0), feature(1)]);
    await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token);
    const before = await fingerprint(t.api);
    const cases: Array<[string, RegExp]> = [
      ['{ not json', /not valid JSON/],
      ['{"category": "x"}', /must be a JSON array/],
      [JSON.stringify([feature(0), { ...feature(1), steps: 'click' }]), /entry 1: "steps" must be an array/],
      [JSON.stringify([feature(0), feature(1), { ...feature(2), passes: 'yes' }]), /entry 2: "passes" must be true or false/],
      [JSON.stringify([{ ...feature(0), description: '  ' }]), /entry 0: "description" must not be empty/],
      [JSON.stringify([feature(0), { description: 'no category', steps: [], passes: false }]), /entry 1: "category" must be a string/],
    ];
    for (const [text, message] of cases) {
      await writeFeatureList(t.api, project.id, text);
      const result = await gql(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token);
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0].message).toMatch(message);
    }
    expect(await fingerprint(t.api)).toEqual(before);
  });
});
