// What the agents committed and which test commands they ran: read-only records of a project and its runs.
import { builder } from '../builder.js';

builder.prismaNode('Commit', {
  id: { field: 'id' },
  authScopes: (commit) => ({ member: { projectId: commit.projectId, role: 'VIEWER' } }),
  fields: (t) => ({
    sha: t.exposeString('sha'),
    message: t.exposeString('message'),
    filesChanged: t.exposeStringList('filesChanged'),
    committedAt: t.expose('committedAt', { type: 'DateTime' }),
    run: t.relation('run', { nullable: true }),
  }),
});

const TestResultKindEnum = builder.enumType('TestResultKind', {
  values: {
    AGENT: { description: 'A test command an agent ran.' },
    VERIFICATION: { description: "The project's verification command, run by the platform to check a feature." },
    VERIFIER: { description: "An independent verifier session's verdict on a feature (its commands and output)." },
  } as const,
});

builder.prismaNode('TestResult', {
  id: { field: 'id' },
  authScopes: (result) => ({ member: { projectId: result.projectId, role: 'VIEWER' } }),
  fields: (t) => ({
    command: t.exposeString('command'),
    exitCode: t.exposeInt('exitCode', { nullable: true }),
    passed: t.exposeBoolean('passed'),
    durationMs: t.exposeInt('durationMs'),
    outputTail: t.exposeString('outputTail', { description: 'The end of the output, bounded.' }),
    kind: t.field({ type: TestResultKindEnum, resolve: (r) => (r.kind === 'VERIFICATION' || r.kind === 'VERIFIER' ? r.kind : 'AGENT') }),
    sha: t.exposeString('sha', { nullable: true, description: 'The commit a verification ran on.' }),
    feature: t.relation('feature', { nullable: true, description: 'The feature a verification checked.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    run: t.relation('run', { nullable: true }),
  }),
});

const newestFirst = { committedAt: 'desc' } as const;

builder.prismaObjectFields('Project', (t) => ({
  commits: t.relatedConnection('commits', { cursor: 'id', query: { orderBy: [newestFirst, { id: 'desc' }] }, description: 'Commits the agents made, newest first.' }),
  testResults: t.relatedConnection('testResults', { cursor: 'id', query: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }, description: 'Test commands the agents ran, newest first.' }),
}));

builder.prismaObjectFields('AgentRun', (t) => ({
  commits: t.relation('commits', { query: { orderBy: { committedAt: 'asc' } } }),
  testResults: t.relation('testResults', { query: { orderBy: { createdAt: 'asc' } } }),
}));
