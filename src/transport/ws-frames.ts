// graphql-ws subscriptions on the live push path (live-push.ts): a pushed result goes out as the same "next" message
// graphql-ws would send, written straight onto the WebSocket. The result's JSON is built once per shared result and
// only the subscription id differs per subscriber. Results with errors are never pushed (graphql-ws sends those).
import type { ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import type { LiveWriter } from './live-push.js';

/** Above this many bytes waiting on the socket, pushes are refused and the pull path (which waits for writes) takes over. */
const MAX_BUFFERED_BYTES = 1 << 20;

/** One per server: the JSON of each shared result, built for its first subscriber and reused (it dies with the result). */
export class WsFrames {
  private readonly payloads = new WeakMap<ExecutionResult, string>();

  /** The push writer of one graphql-ws subscription; `active` says whether the client still wants it. */
  writer(socket: WebSocket, id: string, active: () => boolean): LiveWriter {
    const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    return {
      transport: 'ws',
      framesResultBatches: false,
      write: (results) => {
        if (!active() || socket.readyState !== socket.OPEN || socket.bufferedAmount > MAX_BUFFERED_BYTES) return false;
        // As bytes: ws would write a string payload as a string, which the write coalescer passes through unjoined.
        for (const result of results) socket.send(Buffer.from(`${prefix}${this.payloadOf(result)}}`), { binary: false });
        return true;
      },
    };
  }

  private payloadOf(result: ExecutionResult): string {
    let json = this.payloads.get(result);
    if (json === undefined) this.payloads.set(result, (json = JSON.stringify(result)));
    return json;
  }
}
