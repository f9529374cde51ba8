// syncFeatures over HTTP: rows follow feature_list.json's content by index and content hash, in place, and report the
// changes; passes stays the rows' (verified) truth and the file's claims are only reported.
import { describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk, signUp } from './helpers/api.js';
import { addMember, createProject, feature, fingerprint, setFeaturesPassing, sql, writeFeatureList, useApiWithOwner } from './helpers/foundation.js';
import { rawId } from './helpers/global-id.js';
import { rest } from './helpers/rest.js';
import { ProjectFeaturesDocument, SyncFeaturesDocument } from './generated/graphql.js';

const t = useApiWithOwner();

describe('syncFeatures', () => {
  it('adds, rewords and removes rows, keeping row ids and the rows\' passes, and lists the file\'s claims', async () => {
    const project = await createProject(t.api, t.owner, 'Sync App');
    await writeFeatureList(t.api, project.id, [feature(0), feature(1), feature(2, true)]);
    const first = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token)).syncFeatures;
    // New rows start failing whatever the file says: #2's passes is a claim only a verified run can make true.
    expect(first).toMatchObject({ addedCount: 3, changedCount: 0, removedCount: 0, unchangedCount: 0, newlyPassing: [], unverifiedClaims: [2] });
    expect(first.added.map((f) => [f.index, f.passes])).toEqual([[0, false], [1, false], [2, false]]);
    expect(first.featureStats).toEqual({ total: 3, passing: 0, failing: 3 });
    const idsBefore = first.added.map((f) => f.id);

    // Same file again: nothing to do, the claim is still reported.
    const again = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token)).syncFeatures;
    expect(again).toMatchObject({ addedCount: 0, changedCount: 0, removedCount: 0, unchangedCount: 3, unverifiedClaims: [2] });

    // A run verified #1. The file now claims #0, sets #1 back to false and rewords it, drops #2.
    await setFeaturesPassing(t.api, project.id, [1]);
    const reworded = { ...feature(1), description: 'Feature one, reworded' };
    await writeFeatureList(t.api, project.id, [feature(0, true), reworded]);
    const shrink = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token)).syncFeatures;
    expect(shrink).toMatchObject({ addedCount: 0, changedCount: 1, removedCount: 1, unchangedCount: 1, newlyPassing: [], unverifiedClaims: [0] });
    expect(shrink.changed.map(({ feature: _f, ...change }) => change)).toEqual([{ index: 1, contentChanged: true, passesChanged: false, passes: true }]);
    expect(shrink.changed[0].feature).toMatchObject({ id: idsBefore[1], description: 'Feature one, reworded', passes: true });
    expect(shrink.removed).toEqual([{ index: 2, description: 'Feature number 2' }]);
    expect(shrink.featureStats).toEqual({ total: 2, passing: 1, failing: 1 });

    await writeFeatureList(t.api, project.id, [feature(0, false), reworded, feature(7), feature(8, true)]);
    const grow = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token)).syncFeatures;
    expect(grow).toMatchObject({ addedCount: 2, changedCount: 0, removedCount: 0, unchangedCount: 2, newlyPassing: [], unverifiedClaims: [3] });

    const rows = await sql(t.api, 'SELECT id, index, description, passes, "contentHash" FROM "Feature" WHERE "projectId" = $1 ORDER BY index', [rawId(project.id)]);
    expect(rows.map((r) => [r.index, r.description, r.passes])).toEqual([
      [0, 'Feature number 0', false],
      [1, 'Feature one, reworded', true],
      [2, 'Feature number 7', false],
      [3, 'Feature number 8', false],
    ]);
    expect(rows.slice(0, 2).map((r) => r.id)).toEqual(idsBefore.slice(0, 2).map(rawId));
    expect(new Set(rows.map((r) => r.contentHash)).size).toBe(4);
  });

  it("does not let an EDITOR's sync flip a feature the file claims, over GraphQL or REST, nor lower a verified one", async () => {
    const project = await createProject(t.api, t.owner, 'Claims App');
    const editor = await signUp(t.api, 'claims-editor');
    await addMember(t.api, t.owner, project.id, editor, 'EDITOR');
    await writeFeatureList(t.api, project.id, [feature(0), feature(1), feature(2)]);
    await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, editor.token);
    await setFeaturesPassing(t.api, project.id, [2]);
    const passes = async () =>
      (await sql(t.api, 'SELECT passes FROM "Feature" WHERE "projectId" = $1 ORDER BY index', [rawId(project.id)])).map((r) => r.passes);

    // The file claims #0 and #1 pass and sets the verified #2 back to false.
    await writeFeatureList(t.api, project.id, [feature(0, true), feature(1, true), feature(2, false)]);
    const viaGraphql = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, editor.token)).syncFeatures;
    expect(viaGraphql).toMatchObject({ changedCount: 0, unchangedCount: 3, newlyPassing: [], unverifiedClaims: [0, 1] });
    expect(viaGraphql.featureStats).toEqual({ total: 3, passing: 1, failing: 2 });
    expect(await passes()).toEqual([false, false, true]);

    const viaRest = await rest(t.api, 'POST', `/api/projects/${project.id}/features/sync`, { token: editor.token });
    expect(viaRest.status, JSON.stringify(viaRest.body)).toBe(200);
    expect(viaRest.body).toMatchObject({ changedCount: 0, newlyPassing: [], unverifiedClaims: [0, 1], featureStats: { total: 3, passing: 1, failing: 2 } });
    expect(await passes()).toEqual([false, false, true]);
  });

  it('pages and filters Project.features and counts featureStats', async () => {
    const project = await createProject(t.api, t.owner, 'Paging App');
    await writeFeatureList(t.api, project.id, Array.from({ length: 7 }, (_, i) => feature(i)));
    await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token);
    await setFeaturesPassing(t.api, project.id, [0, 2, 4, 6]);
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
