// The Messages API client's fetch: node:http(s) with keep-alive, answering with a Response whose body is the Node
// response stream itself (the SDK reads any async-iterable body). The built-in fetch passes every SSE chunk through
// several WHATWG stream layers, which cost a worker running many agents more CPU than parsing the events.
// Requests this does not handle (bodies other than a string or bytes) go to the built-in fetch.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

export async function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const body = init.body;
  if (input instanceof Request || !(body == null || typeof body === 'string' || body instanceof Uint8Array)) return fetch(input, init);
  const url = new URL(String(input));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  init.signal?.throwIfAborted();
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  // Uncompressed answers: the stream is read as it arrives, and error bodies are small.
  headers['accept-encoding'] = 'identity';
  if (body != null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);

  const signal = init.signal ?? undefined;
  // Aborting fails the request, or the body being read, with the signal's AbortError (what the SDK recognises).
  const aborted = () => (signal?.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError'));
  const lib = url.protocol === 'https:' ? https : http;
  const req = lib.request(url, { method: init.method ?? 'GET', headers, agent: agents[url.protocol as 'http:' | 'https:'] });
  let res: IncomingMessage | undefined;
  const onAbort = () => (res ? res.destroy(aborted()) : req.destroy(aborted()));
  signal?.addEventListener('abort', onAbort, { once: true });
  req.once('close', () => signal?.removeEventListener('abort', onAbort));
  await new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', (response: IncomingMessage) => resolve((res = response)));
    req.on('error', (error) => reject(signal?.aborted ? aborted() : new TypeError('fetch failed', { cause: error })));
    req.end(body ?? undefined);
  });
  return toResponse(res!, url.href);
}

function toResponse(res: IncomingMessage, url: string): Response {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 502;
  const response = new Response(null, { status, statusText: res.statusMessage ?? '', headers });
  const noBody = status === 204 || status === 205 || status === 304;
  if (noBody) res.resume();
  const text = async () => {
    let out = '';
    res.setEncoding('utf8');
    for await (const chunk of res) out += chunk;
    return out;
  };
  Object.defineProperties(response, {
    body: { value: noBody ? null : res },
    url: { value: url },
    text: { value: text },
    json: { value: async () => JSON.parse(await text()) },
  });
  return response;
}
