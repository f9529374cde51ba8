// The shape of one REST route (routes.ts holds the table; handler.ts executes it; openapi.ts documents it).
type HttpMethod = 'GET' | 'POST' | 'PATCH';

export interface QueryParam {
  name: string;
  type: 'integer' | 'boolean' | 'string';
  /** The GraphQL enum its values come from. */
  enumType?: string;
  /** The largest value accepted (integers). */
  maximum?: number;
  description: string;
}

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

export interface RestRoute {
  method: HttpMethod;
  /** Express-style, e.g. /api/projects/:id */
  path: string;
  summary: string;
  tag: 'accounts' | 'projects' | 'features' | 'work items' | 'agent runs';
  /** Needs no bearer token (signing up and in). */
  anonymous?: true;
  /** The error statuses it can answer, when not the defaults for its method (see openapi.ts). */
  errors?: number[];
  document: string;
  variables: (req: RouteRequest) => Record<string, unknown>;
  /** The answer: the object at `path` of the data, or the connection there as { items, pageInfo }. */
  answer: { kind: 'one' | 'list'; path: string[] };
  status?: 201;
  query?: QueryParam[];
  /** The GraphQL input type the JSON body is, minus the fields the path supplies. */
  body?: { inputType: string; fromPath: string[] };
}
