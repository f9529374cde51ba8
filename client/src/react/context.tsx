// The urql Client the React bindings use: given once by <ShipyardProvider client={...}>, or per hook/component.
import { createContext, useContext, type ReactNode } from 'react';
import type { Client } from '@urql/core';

const ClientContext = createContext<Client | null>(null);

export function ShipyardProvider({ client, children }: { client: Client; children?: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useShipyardClient(override?: Client): Client {
  const client = useContext(ClientContext);
  const chosen = override ?? client;
  if (!chosen) throw new Error('No Shipyard client: wrap the tree in <ShipyardProvider client={createShipyardClient(...)}> or pass `client`.');
  return chosen;
}
