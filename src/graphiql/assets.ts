// GraphiQL's page as three responses: a small HTML shell, its stylesheet and its script (megabytes, with the editor's
// workers inlined), both taken from the page @graphql-yoga/render-graphiql renders with everything inline. The shell
// references only this server, so the page never reaches another host, and browsers cache the two big files.
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

export const GRAPHIQL_ASSETS_PATH = '/graphiql';

export interface GraphiQLAssets {
  html: string;
  files: ReadonlyMap<string, { contentType: string; body: string }>;
}

function between(page: string, open: string, close: string): string {
  const start = page.indexOf(open);
  const end = page.indexOf(close, start);
  if (start < 0 || end < 0) throw new Error(`@graphql-yoga/render-graphiql's page has no ${open}…${close}: its layout changed`);
  return page.slice(start + open.length, end);
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function buildGraphiQLAssets(options: GraphiQLOptions): GraphiQLAssets {
  // An empty icon: the package's default is an SVG data URI that names the SVG namespace's http:// URL.
  const page = renderGraphiQL({ ...options, favicon: 'data:,' });
  const files = new Map([
    [`${GRAPHIQL_ASSETS_PATH}/graphiql.css`, { contentType: 'text/css; charset=utf-8', body: between(page, '<style>', '</style>') }],
    [`${GRAPHIQL_ASSETS_PATH}/graphiql.js`, { contentType: 'text/javascript; charset=utf-8', body: between(page, '<script>', '</script>') }],
  ]);
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8" />' +
    `<title>${escapeHtml(options.title ?? 'GraphiQL')}</title><link rel="icon" href="data:," />` +
    `<link rel="stylesheet" href="${GRAPHIQL_ASSETS_PATH}/graphiql.css" /></head>` +
    '<body id="body" class="no-focus-outline"><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>' +
    `<script src="${GRAPHIQL_ASSETS_PATH}/graphiql.js"></script></body></html>`;
  return { html, files };
}
