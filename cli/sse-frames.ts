// Reads Server-Sent Events frames from a fetch response body (the REST run stream, GET /api/agent-runs/:id/stream).
// The CLI follows runs with it; the test kit's SSE client reuses it.

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

/** One frame's lines; undefined for a frame without data (a comment or keep-alive). */
function parseFrame(block: string): SseFrame | undefined {
  const frame: SseFrame = { data: '' };
  let hasData = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') frame.id = value;
    else if (field === 'event') frame.event = value;
    else if (field === 'data') {
      frame.data += (hasData ? '\n' : '') + value;
      hasData = true;
    }
  }
  return hasData ? frame : undefined;
}

/** Yields frames as they arrive; returns when the server ends the stream, throws when the connection fails. */
export async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = parseFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (frame) yield frame;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
