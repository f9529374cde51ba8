// Runs INSIDE the bubblewrap sandbox of one agent session (plain JavaScript, no loader, no dependency). It reads one
// JSON request per line on stdin and answers one JSON line per finished command on stdout. Every command is a bash
// process in its own process group; a group still alive after its command returned (a server started with `&`) is
// left running: the whole sandbox, and with it every process in it, goes away when the session ends.
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { killGroup, startCommand } from './command-process.mjs';

const running = new Map(); // id -> kill()

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

function run(msg) {
  const command = { file: '/bin/bash', args: ['--noprofile', '--norc', '-c', msg.command], cwd: msg.cwd, env: process.env, timeoutMs: msg.timeoutMs, maxOutputBytes: msg.maxOutputBytes };
  const kill = startCommand(command, ({ exitCode, signal, output, truncated, timedOut, aborted, durationMs }, pgid) => {
    running.delete(msg.id);
    if (pgid && (timedOut || aborted)) killGroup(pgid);
    send({ type: 'done', id: msg.id, result: { exitCode, signal, output, truncated, timedOut, aborted, durationMs } });
  });
  running.set(msg.id, kill);
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
