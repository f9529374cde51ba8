// A minimal GraphQL-over-SSE reader (Yoga's distinct-connection mode) for many concurrent benchmark subscribers.
export async function readSse(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  onData: (data: any) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  if (!response.ok || !response.body) throw new Error(`subscription failed: HTTP ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (message.startsWith('event: complete')) return;
        const dataLine = message.split('\n').find((l) => l.startsWith('data: '));
        if (dataLine && message.startsWith('event: next')) onData(JSON.parse(dataLine.slice(6)));
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
