// GET /api/docs: a self-contained page (no CDN, no script) listing every route of the OpenAPI document.
import { openApiDocument } from './openapi.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Operation {
  summary?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, { type?: string }>; required?: string[] } }> };
  responses: Record<string, { description?: string }>;
}

let page: string | undefined;

export function docsPage(): string {
  page ??= render();
  return page;
}

function render(): string {
  const doc = openApiDocument() as { info: { title: string; description: string }; paths: Record<string, Record<string, Operation>> };
  const rows: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []).map((p) => `<li><code>${escape(p.name)}</code> (${p.in}${p.required ? ', required' : ''}) ${escape(p.description ?? '')}</li>`);
      const body = op.requestBody?.content['application/json']?.schema;
      const fields = Object.entries(body?.properties ?? {}).map(
        ([name, s]) => `<li><code>${escape(name)}</code>${s.type ? `: ${escape(s.type)}` : ''}${body?.required?.includes(name) ? ' (required)' : ''}</li>`,
      );
      const statuses = Object.entries(op.responses).map(([status, r]) => `<code>${status}</code> ${escape(r.description ?? '')}`).join('<br>');
      rows.push(`<section><h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h2>
<p>${escape(op.summary ?? '')}</p>${params.length ? `<h3>Parameters</h3><ul>${params.join('')}</ul>` : ''}${
        fields.length ? `<h3>JSON body</h3><ul>${fields.join('')}</ul>` : ''
      }<h3>Responses</h3><p>${statuses}</p></section>`);
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(doc.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}h2{font-size:1.1rem}h3{font-size:.95rem;margin:.5rem 0 .2rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700}.get{color:#06c}.post{color:#080}.patch{color:#a60}code{background:#f4f4f4;padding:0 .2rem}</style>
</head><body><h1>${escape(doc.info.title)}</h1><p>${escape(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>. Every route but <code>/api/auth/*</code> takes <code>Authorization: Bearer &lt;token&gt;</code>;
errors are <code>{ "error": { "code", "message" } }</code> (a 429 with <code>Retry-After</code> says when to try again).</p>
${rows.join('\n')}</body></html>`;
}
