// GET /api/openapi.json: OpenAPI 3.0 for every /api route, generated from the route table (routes.ts) and the GraphQL
// schema: request bodies from the input types, responses from each route's selection set, errors in one shape.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  type GraphQLInputType,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { schema } from '../schema/index.js';
import { REST_ROUTES } from './routes.js';
import type { RestRoute } from './route-types.js';

type JsonSchema = Record<string, unknown>;

const SCALARS: Record<string, JsonSchema> = {
  String: { type: 'string' },
  ID: { type: 'string', description: 'A global id (a raw UUID is accepted as input too).' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
  JSON: {},
};

const nullable = (s: JsonSchema, isNullable: boolean): JsonSchema => (isNullable ? { ...s, nullable: true } : s);

function inputSchema(type: GraphQLInputType, omit: string[] = []): JsonSchema {
  const isNullable = !isNonNullType(type);
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return nullable({ type: 'array', items: inputSchema(inner.ofType) }, isNullable);
  if (isScalarType(inner)) return nullable(SCALARS[inner.name] ?? { type: 'string' }, isNullable);
  if (isEnumType(inner)) return nullable({ type: 'string', enum: inner.getValues().map((v) => v.name) }, isNullable);
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields()).filter((f) => !omit.includes(f.name));
    const required = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
    return {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(fields.map((f) => [f.name, { ...inputSchema(f.type), ...(f.description ? { description: f.description } : {}) }])),
      ...(required.length ? { required } : {}),
    };
  }
  return {};
}

function outputSchema(type: GraphQLOutputType, selection: SelectionSetNode | undefined): JsonSchema {
  const isNullable = !isNonNullType(type);
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return nullable({ type: 'array', items: outputSchema(inner.ofType, selection) }, isNullable);
  if (isScalarType(inner)) return nullable(SCALARS[inner.name] ?? { type: 'string' }, isNullable);
  if (isEnumType(inner)) return nullable({ type: 'string', enum: inner.getValues().map((v) => v.name) }, isNullable);
  if (isObjectType(inner) && selection) {
    const fields = inner.getFields();
    const properties: Record<string, JsonSchema> = {};
    for (const node of selection.selections) {
      if (node.kind !== 'Field') continue;
      const field = fields[node.name.value]!;
      properties[node.alias?.value ?? node.name.value] = outputSchema(field.type, node.selectionSet);
    }
    return nullable({ type: 'object', properties, required: Object.keys(properties) }, isNullable);
  }
  return {};
}

/** The JSON schema of a route's answer: walks its document down the answer path. */
function answerSchema(route: RestRoute): JsonSchema {
  const operation = parse(route.document).definitions[0] as OperationDefinitionNode;
  let type: GraphQLOutputType = operation.operation === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
  let selection: SelectionSetNode | undefined = operation.selectionSet;
  for (const key of route.answer.path) {
    const node: SelectionSetNode['selections'][number] | undefined = selection!.selections.find((s) => s.kind === 'Field' && s.name.value === key);
    if (!node || node.kind !== 'Field') throw new Error(`${route.path}: ${key} is not selected`);
    const parent: ReturnType<typeof getNamedType> = getNamedType(type);
    if (!isObjectType(parent)) throw new Error(`${route.path}: ${key} is not on an object`);
    type = parent.getFields()[key]!.type;
    selection = node.selectionSet;
  }
  const value = outputSchema(type, selection) as { nullable?: boolean; properties?: Record<string, JsonSchema> };
  delete value.nullable;
  if (route.answer.kind === 'one') return value;
  const edges = value.properties!.edges as { items: { properties: { node: JsonSchema } } };
  return {
    type: 'object',
    properties: {
      items: { type: 'array', items: { ...edges.items.properties.node, nullable: undefined } },
      pageInfo: value.properties!.pageInfo,
      ...(value.properties!.totalCount ? { totalCount: value.properties!.totalCount } : {}),
    },
    required: ['items', 'pageInfo'],
  };
}

const ERROR_CODES: Record<number, string> = {
  400: 'Invalid input (BAD_USER_INPUT).',
  401: 'No valid bearer token (UNAUTHENTICATED).',
  403: 'Not a member of the project, or the role is too low (FORBIDDEN).',
  404: 'No such project or run (NOT_FOUND).',
  409: 'Conflicts with the current state, e.g. a second active run (CONFLICT).',
  413: 'Request body over 1 MiB (PAYLOAD_TOO_LARGE).',
  429: 'Too many requests: sign-in attempts (RATE_LIMITED, with Retry-After) or open streams per user (TOO_MANY_SUBSCRIPTIONS).',
};

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before trying again (RATE_LIMITED).', schema: { type: 'integer', minimum: 1 } } };

const errorResponses = (codes: number[]) =>
  Object.fromEntries(
    codes.map((status) => [
      String(status),
      {
        description: ERROR_CODES[status],
        ...(status === 429 ? { headers: RETRY_AFTER } : {}),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function routeOperation(route: RestRoute): Record<string, unknown> {
  const inputType = route.body ? schema.getType(route.body.inputType) : undefined;
  const parameters = [
    ...[...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
      description: 'Raw UUID or global id.',
    })),
    ...(route.query ?? []).map((q) => {
      const enumType = q.enumType ? schema.getType(q.enumType) : undefined;
      return {
        name: q.name,
        in: 'query',
        required: false,
        description: q.description,
        schema: enumType && isEnumType(enumType) ? { type: 'string', enum: enumType.getValues().map((v) => v.name) } : { type: q.type, ...(q.maximum === undefined ? {} : { maximum: q.maximum }) },
      };
    }),
  ];
  return {
    operationId: (parse(route.document).definitions[0] as OperationDefinitionNode).name!.value,
    summary: route.summary,
    tags: [route.tag],
    security: route.anonymous ? [] : [{ bearer: [] }],
    ...(parameters.length ? { parameters } : {}),
    ...(inputType && isInputObjectType(inputType)
      ? { requestBody: { required: true, content: { 'application/json': { schema: inputSchema(inputType, route.body!.fromPath) } } } }
      : {}),
    responses: {
      [String(route.status ?? 200)]: { description: 'OK', content: { 'application/json': { schema: answerSchema(route) } } },
      ...errorResponses(route.errors ?? (route.method === 'GET' ? [400, 401, 403, 404] : [400, 401, 403, 404, 409, 413])),
    },
  };
}

const EVENT_NAMES = ['status', 'text', 'tool_call', 'tool_result', 'feature', 'commit', 'test', 'error', 'complete'];

const streamOperation = {
  operationId: 'RestRunStream',
  summary:
    `The run's events as Server-Sent Events: event names ${EVENT_NAMES.join(', ')}; id = seq; data = an AgentRunEvent as JSON. ` +
    'Reconnect with Last-Event-ID (or ?afterSeq=) to get exactly the events after it. Ends after `complete`.',
  tags: ['agent runs'],
  security: [{ bearer: [] }],
  parameters: [
    { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Raw UUID or global id.' },
    { name: 'afterSeq', in: 'query', required: false, schema: { type: 'integer', minimum: 0 }, description: 'Start after this seq.' },
    { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' }, description: 'The last seq received (wins over afterSeq).' },
  ],
  responses: {
    '200': { description: 'An event stream.', content: { 'text/event-stream': { schema: { $ref: '#/components/schemas/AgentRunEvent' } } } },
    ...errorResponses([400, 401, 403, 404, 429]),
  },
};

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  cached ??= build();
  return cached;
}

function build(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of REST_ROUTES) (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = routeOperation(route);
  paths['/api/agent-runs/{id}/stream'] = { get: streamOperation };
  return {
    openapi: '3.0.3',
    info: {
      title: 'Shipyard REST API',
      version: '1.0.0',
      description:
        'The seed REST interface over the Shipyard GraphQL API (/graphql), with the same authentication, authorization and errors. ' +
        'Ids are accepted as raw UUIDs or GraphQL global ids; responses carry global ids. The per-project WebSocket is GET /ws/{projectId}.',
    },
    tags: [{ name: 'accounts' }, { name: 'projects' }, { name: 'features' }, { name: 'work items' }, { name: 'agent runs' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A session token (signUp / logIn) or an API token (createApiToken).' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        },
        AgentRunEvent: {
          type: 'object',
          required: ['runId', 'seq', 'type', 'payload', 'createdAt'],
          properties: {
            runId: { type: 'string' },
            seq: { type: 'integer' },
            type: { type: 'string', enum: EVENT_NAMES.map((n) => n.toUpperCase()) },
            payload: { type: 'object' },
            createdAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  };
}
