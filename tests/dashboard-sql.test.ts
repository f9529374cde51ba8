// The dashboard query issues a small, constant number of SQL statements however big the project (no N+1).
import { describe, expect, it } from 'vitest';
import { gqlOk } from './helpers/api.js';
import { useApiWithOwner } from './helpers/foundation.js';
import { seedDashboardProject } from './helpers/dashboard.js';
import { recordSql, statementShape } from './helpers/sql-recorder.js';
import { DashboardDocument } from './generated/graphql.js';

const t = useApiWithOwner();

async function dashboardStatements(projectId: string) {
  const { result, statements } = await recordSql(() => gqlOk(t.api, DashboardDocument, { id: projectId }, t.owner.token));
  return { data: result, shapes: statements.map((s) => statementShape(s.text)), statements };
}

describe('dashboard query SQL', () => {
  it('is the same few statements for a 50-feature, 20-epic project as for a tiny one', async () => {
    const big = await seedDashboardProject(t.api, t.owner, { name: 'Big Board', features: 50, epics: 20, childrenPerEpic: 2 });
    const tiny = await seedDashboardProject(t.api, t.owner, { name: 'Tiny Board', features: 2, epics: 1, childrenPerEpic: 1 });

    const large = await dashboardStatements(big);
    const project = large.data.project!;
    expect(project.featureStats).toEqual({ total: 50, passing: 17 });
    expect(project.features.edges).toHaveLength(50);
    expect(project.workItems.edges).toHaveLength(20);
    expect(project.workItems.edges[0].node).toMatchObject({ key: 'BIGBOARD-1', children: [{ key: 'BIGBOARD-2' }, { key: 'BIGBOARD-3' }] });
    expect(project.workItems.edges.every((e) => e.node.children.length === 2 || e.node.title.includes('child'))).toBe(true);
    expect(project.workItems.edges[0].node.features.map((f) => f.index)).toEqual([0, 1]);

    const small = await dashboardStatements(tiny);
    expect(small.data.project!.featureStats).toEqual({ total: 2, passing: 1 });
    expect(large.shapes).toEqual(small.shapes);
    expect(large.statements.length).toBeLessThanOrEqual(5);
    expect(large.statements.map((s) => s.text)).toEqual(small.statements.map((s) => s.text));
    expect(large.shapes).toMatchSnapshot();
    expect(large.statements.map((s) => s.text.replace(/\s+/g, ' ').trim())).toMatchSnapshot();
  });
});
