// Runs INSIDE the bubblewrap sandbox of one agent session (plain JavaScript, no loader, no dependency). It reads one
// JSON request per line on stdin and answers one JSON line per finished command on stdout. Every command is a bash
// process in its own process group; a group still alive after its command returned (a server started with `&`) is
// left running: the whole sandbox, and with it every process in it, goes away when the session ends.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';

const running = new Map(); // id -> kill()

function killGroup(pgid) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

function run(msg) {
  const started = performance.now();
  const chunks = [];
  let bytes = 0;
  let dropped = 0;
  let timedOut = false;
  let killed = false;
  let settled = false;
  let child;
  try {
    child = spawn('/bin/bash', ['--noprofile', '--norc', '-c', msg.command], { cwd: msg.cwd, env: process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    send({ type: 'done', id: msg.id, result: { exitCode: null, signal: null, output: `failed to start: ${error.message}\n`, truncated: false, timedOut: false, aborted: false, durationMs: 0 } });
    return;
  }
  const pgid = child.pid;
  running.set(msg.id, () => {
    killed = true;
    if (pgid) killGroup(pgid);
  });
  const onData = (chunk) => {
    chunks.push(chunk);
    bytes += chunk.length;
    while (bytes > msg.maxOutputBytes && chunks.length > 1) {
      const first = chunks.shift();
      bytes -= first.length;
      dropped += first.length;
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => {
    timedOut = true;
    if (pgid) killGroup(pgid);
  }, msg.timeoutMs);
  const finish = (exitCode, signal) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    setImmediate(() => {
      child.stdout.destroy();
      child.stderr.destroy();
      running.delete(msg.id);
      if (pgid && (timedOut || killed)) killGroup(pgid);
      let text = Buffer.concat(chunks).toString('utf8');
      if (bytes > msg.maxOutputBytes) text = text.slice(text.length - msg.maxOutputBytes);
      send({
        type: 'done',
        id: msg.id,
        result: { exitCode, signal, output: text, truncated: dropped > 0 || bytes > msg.maxOutputBytes, timedOut, aborted: killed, durationMs: Math.round(performance.now() - started) },
      });
    });
  };
  // 'close' waits for the pipes; a background child can hold them open, so after 'exit' give them a moment only.
  child.on('close', finish);
  child.on('exit', (code, signal) => setTimeout(() => finish(code, signal), 150).unref());
  child.on('error', (error) => {
    chunks.push(Buffer.from(`failed to start: ${error.message}\n`));
    finish(null, null);
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  if (msg.type === 'run') run(msg);
  else if (msg.type === 'kill') running.get(msg.id)?.();
});
// The worker closed our stdin: the session is over; bwrap's init then takes every remaining process down with it.
process.stdin.on('end', () => process.exit(0));
// ALLOWLIST network: `--proxy <socket> <port>` forwards 127.0.0.1:<port> inside to the worker's egress proxy socket.
const proxyAt = process.argv.indexOf('--proxy');
if (proxyAt > 0) {
  const socketPath = process.argv[proxyAt + 1];
  const forwarder = createServer((client) => {
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  });
  forwarder.listen(Number(process.argv[proxyAt + 2]), '127.0.0.1', () => send({ type: 'ready' }));
} else {
  send({ type: 'ready' });
}
