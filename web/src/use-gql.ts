// A query as React state: refetched when its variables change or on reload().
import { useCallback, useEffect, useState } from 'react';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { AnyVariables, CombinedError } from '@urql/core';
import { useShipyardClient } from '../../client/src/react/index.js';

export function useGql<D, V extends AnyVariables>(document: TypedDocumentNode<D, V>, variables: V) {
  const client = useShipyardClient();
  const [state, setState] = useState<{ data: D | null; error: CombinedError | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    client
      .query(document, variables, { requestPolicy: 'network-only' })
      .toPromise()
      .then((r) => live && setState({ data: r.data ?? null, error: r.error ?? null, loading: false }));
    return () => {
      live = false;
    };
  }, [client, document, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
