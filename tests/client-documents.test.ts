// Every operation the client library and the console send, as urql sends it (with __typename added), passes the
// API's validation and GraphQL Armor's limits (cost counts a literal `first`, so a too-large page is refused).
import { print, type DocumentNode } from 'graphql';
import { formatDocument } from '@urql/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signUp, startTestApi, type TestApi } from './helpers/api.js';
import * as library from '../client/src/generated/graphql.js';
import * as consoleOps from '../web/src/generated/graphql.js';

let api: TestApi;
let token: string;
beforeAll(async () => {
  api = await startTestApi();
  token = (await signUp(api, 'documents')).token;
});
afterAll(async () => api?.close());

const documents = Object.entries({ ...library, ...consoleOps }).filter((entry): entry is [string, DocumentNode] => entry[0].endsWith('Document'));
const REFUSED = /cost limit|depth|aliases|directives|token limit|cannot query|unknown (type|argument|fragment)/i;

describe('client and console documents', () => {
  it('are all there', () => expect(documents.length).toBeGreaterThan(20));
  it.each(documents)('%s is accepted (no validation or limit error)', async (_name, document) => {
    const result = await gql(api, print(formatDocument(document)), {}, token);
    expect((result.errors ?? []).map((e) => e.message).filter((m) => REFUSED.test(m))).toEqual([]);
  });
});
