// Every operation the client library and the console send, as urql sends it (with __typename added), passes the
// API's validation and GraphQL Armor's limits (cost counts a literal `first`, so a too-large page is refused).
import { print, type DocumentNode } from 'graphql';
import { formatDocument } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { gql } from './helpers/api.js';
import { useApiWithOwner } from './helpers/foundation.js';
import * as library from '../client/src/generated/graphql.js';
import * as consoleOps from '../web/src/generated/graphql.js';

const ctx = useApiWithOwner();

const documents = Object.entries({ ...library, ...consoleOps }).filter((entry): entry is [string, DocumentNode] => entry[0].endsWith('Document'));
const REFUSED = /cost limit|depth|aliases|directives|token limit|cannot query|unknown (type|argument|fragment)/i;

describe('client and console documents', () => {
  it('are all there', () => expect(documents.length).toBeGreaterThan(20));
  it.each(documents)('%s is accepted (no validation or limit error)', async (_name, document) => {
    const result = await gql(ctx.api, print(formatDocument(document)), {}, ctx.owner.token);
    expect((result.errors ?? []).map((e) => e.message).filter((m) => REFUSED.test(m))).toEqual([]);
  });
});
