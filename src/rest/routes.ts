// The seed's REST routes over GraphQL: each route is one GraphQL operation, the variables it takes from the path, the
// query string and the JSON body, and where its answer sits in the result. Executed through Yoga (handler.ts), so
// authentication, authorization, validation, limits and error masking are those of /graphql. The OpenAPI document
// (openapi.ts) is generated from this table and the schema.
import { restError } from './errors.js';
import { globalizeIds, toGlobalId } from './ids.js';
import type { QueryParam, RestRoute, RouteRequest } from './route-types.js';

/**
 * The largest page of each list route: its selection at this size fits GraphQL's cost limit (a run row, with its
 * usage and relations, costs about four times a project row). Shown by tests/cost-limit-variables.test.ts.
 */
export const MAX_REST_PAGE = { projects: 50, features: 50, workItems: 40, agentRuns: 20 } as const;

const page = (maximum: number): QueryParam[] => [
  { name: 'first', type: 'integer', maximum, description: `Page size (at most ${maximum}).` },
  { name: 'after', type: 'string', description: 'pageInfo.endCursor of the previous page.' },
];

const AUTH = 'token user { id email name }';
const PROJECT = 'id name slug description viewerRole createdAt updatedAt featureStats { total passing failing }';
const FEATURE = 'id index category description steps passes passedAt';
const WORK_ITEM = 'id key number type title description status priority parent { id key } createdAt updatedAt';
const RUN = `id status stopRequested stopReason error maxSessions budgetUsd sessionsCompleted queuedAt startedAt finishedAt
  project { id } agent { id name role } workItem { id key }
  usage { inputTokens outputTokens cacheReadInputTokens cacheCreationInputTokens costUsd }`;
const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

/** Typed query-string values for the route's declared parameters (unknown ones are ignored). */
function queryVariables(params: QueryParam[] | undefined, query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const param of params ?? []) {
    const raw = query.get(param.name);
    if (raw === null) continue;
    if (param.type === 'integer') {
      if (!/^\d+$/.test(raw)) throw restError('BAD_USER_INPUT', `${param.name} must be a whole number.`);
      if (param.maximum !== undefined && Number(raw) > param.maximum) throw restError('BAD_USER_INPUT', `${param.name} must be at most ${param.maximum}.`);
      out[param.name] = Number(raw);
    } else if (param.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw restError('BAD_USER_INPUT', `${param.name} must be true or false.`);
      out[param.name] = raw === 'true';
    } else out[param.name] = raw;
  }
  return out;
}

const project = (req: RouteRequest) => toGlobalId('Project', req.params.id!);
const run = (req: RouteRequest) => toGlobalId('AgentRun', req.params.id!);

const route = (r: RestRoute) => ({ ...r, variables: (req: RouteRequest) => ({ ...queryVariables(r.query, req.query), ...r.variables(req) }) });

export const REST_ROUTES: RestRoute[] = [
  route({
    method: 'POST',
    path: '/api/auth/signup',
    tag: 'accounts',
    summary: 'Creates an account and signs in: { token, user }; the token is shown only now. An email already taken is a 409.',
    anonymous: true,
    errors: [400, 409, 413],
    body: { inputType: 'SignUpInput', fromPath: [] },
    document: `mutation RestSignUp($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`,
    variables: (req) => ({ input: req.body }),
    answer: { kind: 'one', path: ['signUp'] },
    status: 201,
  }),
  route({
    method: 'POST',
    path: '/api/auth/login',
    tag: 'accounts',
    summary:
      'Signs in: { token, user }. Wrong credentials are a 401; too many attempts (per account and per client address) a 429 ' +
      'with Retry-After.',
    anonymous: true,
    errors: [400, 401, 413, 429],
    body: { inputType: 'LogInInput', fromPath: [] },
    document: `mutation RestLogIn($input: LogInInput!) { logIn(input: $input) { ${AUTH} } }`,
    variables: (req) => ({ input: req.body }),
    answer: { kind: 'one', path: ['logIn'] },
  }),
  route({
    method: 'GET',
    path: '/api/projects',
    tag: 'projects',
    summary: "The viewer's projects, newest first.",
    query: page(MAX_REST_PAGE.projects),
    document: `query RestProjects($first: Int, $after: String) { projects(first: $first, after: $after) { edges { node { ${PROJECT} } } ${PAGE_INFO} } }`,
    variables: () => ({}),
    answer: { kind: 'list', path: ['projects'] },
  }),
  route({
    method: 'POST',
    path: '/api/projects',
    tag: 'projects',
    summary: 'Creates a project (with its default agents); the viewer becomes its OWNER.',
    body: { inputType: 'CreateProjectInput', fromPath: [] },
    document: `mutation RestCreateProject($input: CreateProjectInput!) { createProject(input: $input) { ${PROJECT} appSpec } }`,
    variables: (req) => ({ input: req.body }),
    answer: { kind: 'one', path: ['createProject'] },
    status: 201,
  }),
  route({
    method: 'GET',
    path: '/api/projects/:id',
    tag: 'projects',
    summary: 'One project, with its app spec.',
    document: `query RestProject($id: ID!) { project(id: $id) { ${PROJECT} appSpec } }`,
    variables: (req) => ({ id: project(req) }),
    answer: { kind: 'one', path: ['project'] },
  }),
  route({
    method: 'PATCH',
    path: '/api/projects/:id',
    tag: 'projects',
    summary: "Changes a project's name, description or app spec (EDITOR).",
    body: { inputType: 'UpdateProjectInput', fromPath: ['id'] },
    document: `mutation RestUpdateProject($input: UpdateProjectInput!) { updateProject(input: $input) { ${PROJECT} appSpec } }`,
    variables: (req) => ({ input: { ...req.body, id: project(req) } }),
    answer: { kind: 'one', path: ['updateProject'] },
  }),
  route({
    method: 'GET',
    path: '/api/projects/:id/features',
    tag: 'features',
    summary: 'The feature list in order; passes=true|false filters.',
    query: [...page(MAX_REST_PAGE.features), { name: 'passes', type: 'boolean', description: 'Only passing (true) or failing (false) features.' }],
    document: `query RestFeatures($id: ID!, $first: Int, $after: String, $passes: Boolean) { project(id: $id) {
      features(first: $first, after: $after, passes: $passes) { totalCount edges { node { ${FEATURE} } } ${PAGE_INFO} } } }`,
    variables: (req) => ({ id: project(req) }),
    answer: { kind: 'list', path: ['project', 'features'] },
  }),
  route({
    method: 'POST',
    path: '/api/projects/:id/features/sync',
    tag: 'features',
    summary: "Mirrors the workspace's feature_list.json into the feature rows, never its passes: claims are listed in unverifiedClaims (EDITOR).",
    document: `mutation RestSyncFeatures($id: ID!) { syncFeatures(projectId: $id) {
      addedCount changedCount removedCount unchangedCount newlyPassing unverifiedClaims featureStats { total passing failing } } }`,
    variables: (req) => ({ id: project(req) }),
    answer: { kind: 'one', path: ['syncFeatures'] },
  }),
  route({
    method: 'GET',
    path: '/api/projects/:id/work-items',
    tag: 'work items',
    summary: 'Work items by number; status and type filter.',
    query: [
      ...page(MAX_REST_PAGE.workItems),
      { name: 'status', type: 'string', enumType: 'WorkItemStatus', description: 'Only items with this status.' },
      { name: 'type', type: 'string', enumType: 'WorkItemType', description: 'Only items of this type.' },
    ],
    document: `query RestWorkItems($id: ID!, $first: Int, $after: String, $status: WorkItemStatus, $type: WorkItemType) { project(id: $id) {
      workItems(first: $first, after: $after, status: $status, type: $type) { totalCount edges { node { ${WORK_ITEM} } } ${PAGE_INFO} } } }`,
    variables: (req) => ({ id: project(req) }),
    answer: { kind: 'list', path: ['project', 'workItems'] },
  }),
  route({
    method: 'POST',
    path: '/api/projects/:id/work-items',
    tag: 'work items',
    summary: 'Creates a work item (EDITOR).',
    body: { inputType: 'CreateWorkItemInput', fromPath: ['projectId'] },
    document: `mutation RestCreateWorkItem($input: CreateWorkItemInput!) { createWorkItem(input: $input) { ${WORK_ITEM} } }`,
    variables: (req) => ({ input: { ...globalizeIds(req.body), projectId: project(req) } }),
    answer: { kind: 'one', path: ['createWorkItem'] },
    status: 201,
  }),
  route({
    method: 'GET',
    path: '/api/projects/:id/agent-runs',
    tag: 'agent runs',
    summary: "The project's runs, newest first; status filters.",
    query: [...page(MAX_REST_PAGE.agentRuns), { name: 'status', type: 'string', enumType: 'AgentRunStatus', description: 'Only runs with this status.' }],
    document: `query RestProjectRuns($id: ID!, $first: Int, $after: String, $status: AgentRunStatus) { project(id: $id) {
      agentRuns(first: $first, after: $after, status: $status) { edges { node { ${RUN} } } ${PAGE_INFO} } } }`,
    variables: (req) => ({ id: project(req) }),
    answer: { kind: 'list', path: ['project', 'agentRuns'] },
  }),
  route({
    method: 'POST',
    path: '/api/projects/:id/agent-runs',
    tag: 'agent runs',
    summary: 'Starts a run of the project (EDITOR); a second active run is a 409.',
    body: { inputType: 'StartAgentRunInput', fromPath: ['projectId'] },
    document: `mutation RestStartProjectRun($input: StartAgentRunInput!) { startAgentRun(input: $input) { ${RUN} } }`,
    variables: (req) => ({ input: { ...globalizeIds(req.body), projectId: project(req) } }),
    answer: { kind: 'one', path: ['startAgentRun'] },
    status: 201,
  }),
  route({
    method: 'POST',
    path: '/api/agent-runs',
    tag: 'agent runs',
    summary: 'Starts a run: { projectId, agentId?, workItemId?, maxSessions?, budgetUsd? } (EDITOR); a second active run is a 409.',
    body: { inputType: 'StartAgentRunInput', fromPath: [] },
    document: `mutation RestStartRun($input: StartAgentRunInput!) { startAgentRun(input: $input) { ${RUN} } }`,
    variables: (req) => ({ input: globalizeIds(req.body) }),
    answer: { kind: 'one', path: ['startAgentRun'] },
    status: 201,
  }),
  route({
    method: 'GET',
    path: '/api/agent-runs/:id',
    tag: 'agent runs',
    summary: 'One run: status, limits, usage and cost.',
    document: `query RestRun($id: ID!) { agentRun(id: $id) { ${RUN} } }`,
    variables: (req) => ({ id: run(req) }),
    answer: { kind: 'one', path: ['agentRun'] },
  }),
  route({
    method: 'POST',
    path: '/api/agent-runs/:id/stop',
    tag: 'agent runs',
    summary: 'Stops an active run (CANCELLED, normally within a second; EDITOR); a finished run is a 409.',
    document: `mutation RestStopRun($id: ID!) { stopAgentRun(id: $id) { ${RUN} } }`,
    variables: (req) => ({ id: run(req) }),
    answer: { kind: 'one', path: ['stopAgentRun'] },
  }),
];

/** Matches a path pattern (':name' segments) against a request path; the params, or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i]!.startsWith(':')) {
      if (!got[i]) return null;
      try {
        params[want[i]!.slice(1)] = decodeURIComponent(got[i]!);
      } catch {
        return null;
      }
    } else if (want[i] !== got[i]) return null;
  }
  return params;
}
