// /api/openapi.json describes every REST route and is a valid OpenAPI document (checked by a validator library);
// /api/docs renders it as a self-contained page (nothing loaded from elsewhere).
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { useApiWithOwner } from './helpers/foundation.js';
import { REST_ROUTES } from '../src/rest/routes.js';

const ctx = useApiWithOwner();

describe('OpenAPI', () => {
  it('is valid OpenAPI 3 and lists every route with its error responses', async () => {
    const response = await fetch(`${ctx.api.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const doc = await response.json();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);

    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    const expected = [...REST_ROUTES.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`), 'GET /api/agent-runs/{id}/stream'];
    expect(described.sort()).toEqual(expected.sort());
    for (const path of ['/api/projects', '/api/projects/{id}/features/sync', '/api/agent-runs', '/api/agent-runs/{id}/stop', '/api/projects/{id}/work-items']) {
      expect(Object.keys(doc.paths[path].post.responses).sort(), path).toEqual(expect.arrayContaining(['400', '401', '403', '404', '409', '413']));
    }
    const createProject = doc.paths['/api/projects'].post;
    expect(createProject.requestBody.content['application/json'].schema).toMatchObject({ required: ['name'], properties: { name: { type: 'string' } } });
    expect(createProject.responses['201'].content['application/json'].schema.properties).toMatchObject({ id: { type: 'string' }, slug: { type: 'string' } });
    const features = doc.paths['/api/projects/{id}/features'].get;
    expect(features.responses['200'].content['application/json'].schema.properties.items.items.properties).toMatchObject({ passes: { type: 'boolean' } });
  });

  it('has a docs page that needs nothing from another host', async () => {
    const response = await fetch(`${ctx.api.url}/api/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('/api/projects/{id}/agent-runs');
    expect(html).toContain('/api/agent-runs/{id}/stream');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
  });
});
