// The Authorization value of a graphql-ws subscription: from connection_init's payload (most clients) or from the
// subscribe message's extensions.headers (GraphiQL sends its Headers tab there, per operation); the latter wins.
type Bag = Readonly<Record<string, unknown>> | null | undefined;

function authorizationIn(bag: Bag): string | undefined {
  if (!bag || typeof bag !== 'object') return undefined;
  for (const [key, value] of Object.entries(bag)) if (key.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  return undefined;
}

export function authorizationOf(connectionParams: Bag, extensions: Bag): string | undefined {
  const headers = extensions?.headers;
  const fromMessage = typeof headers === 'object' && headers !== null ? authorizationIn(headers as Bag) : undefined;
  return fromMessage ?? authorizationIn(connectionParams);
}
