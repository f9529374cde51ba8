// SSE and WebSocket writes (src/transport/coalesce-writes.ts): a stream's chunks written in one turn of the loop (or, while
// the loop is busy, within the flush window) leave as ONE write, in order; an idle process never waits; strings,
// callbacks and end() first flush what is waiting.
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteCoalescer } from '../src/transport/coalesce-writes.js';

const coalescer = new WriteCoalescer(40);

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

/** Serves one response through a WriteCoalescer; `respond` scripts it. Returns the body and the underlying writes. */
async function serve(windowMs: number, respond: (res: ServerResponse) => Promise<void>) {
  const writes: string[] = [];
  server = createServer((_req, res) => {
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      writes.push(String(chunk));
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    coalescer.coalesce(res, windowMs);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    void respond(res);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const body = await new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
  return { body, writes };
}

const bytes = (s: string) => Buffer.from(s);

describe('write coalescing (SSE responses, WebSocket sockets)', () => {
  it('joins the chunks of one turn into one write, in order, and flushes before end()', async () => {
    const { body, writes } = await serve(40, async (res) => {
      res.write(bytes('a'));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      for (const c of ['b', 'c', 'd']) res.write(bytes(c));
      res.end(bytes('e'));
    });
    expect(body).toBe('abcde');
    expect(writes).toEqual(['a', 'bcd']); // 'e' went out with end(), after the waiting 'bcd'
  });

  it('keeps order with writes it does not join (strings, callbacks)', async () => {
    const { body, writes } = await serve(40, async (res) => {
      res.write(bytes('1'));
      res.write(bytes('2'));
      res.write('3');
      res.write(bytes('4'), () => {});
      res.write(bytes('5'));
      await new Promise((r) => setTimeout(r, 60));
      res.end();
    });
    expect(body).toBe('12345');
    expect(writes).toEqual(['12', '3', '4', '5']);
  });

  it('spaces writes by the window only while the event loop is busy', async () => {
    const tick = () => new Promise((r) => setImmediate(r));
    const { body, writes } = await serve(40, async (res) => {
      coalescer.loopIsBusy(); // starts a fresh measurement
      await new Promise((r) => setTimeout(r, 120)); // idle
      res.write(bytes('a'));
      await tick();
      await tick();
      res.write(bytes('b')); // idle: each turn's chunks leave in that turn (with a window, c would join b)
      await tick();
      await tick();
      res.write(bytes('c'));
      await tick();
      await tick();
      const until = performance.now() + 150;
      while (performance.now() < until); // the loop is now busy
      res.write(bytes('x'));
      await tick();
      await tick();
      res.write(bytes('y')); // busy: waits for the window after x's write, and z joins it
      await tick();
      res.write(bytes('z'));
      await new Promise((r) => setTimeout(r, 80));
      res.end();
    });
    expect(body).toBe('abcxyz');
    expect(writes).toEqual(['a', 'b', 'c', 'x', 'yz']);
  });

  it("joins a WebSocket's messages of one turn (header and payload each) into one socket write, in order", async () => {
    const writes: Buffer[] = [];
    server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws, req) => {
      const write = req.socket.write.bind(req.socket) as (...args: unknown[]) => boolean;
      req.socket.write = ((chunk: Buffer, ...rest: unknown[]) => {
        writes.push(Buffer.from(chunk));
        return write(chunk, ...rest);
      }) as typeof req.socket.write;
      coalescer.coalesce(req.socket, 40);
      for (const m of ['one', 'two', 'three']) ws.send(Buffer.from(m), { binary: false });
      ws.send('four', () => {}); // a callback: what waits goes first, then this one as is
      ws.send(Buffer.from('five'), { binary: false });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const received: string[] = [];
    await new Promise<void>((resolve) =>
      client.on('message', (data) => {
        received.push(data.toString());
        if (received.length === 5) resolve();
      }),
    );
    client.close();
    expect(received).toEqual(['one', 'two', 'three', 'four', 'five']);
    // A frame is [header, payload] (0x81 = final text frame, then the length). The first three messages and the header
    // of 'four' leave in one write; the payload with a callback as ws wrote it; then 'five' at the next flush.
    expect(writes.map((w) => w.toString('latin1'))).toEqual(['\x81\x03one\x81\x03two\x81\x05three\x81\x04', 'four', '\x81\x04five']);
  });
});
