// The worker's process spawner: a small Node process (plain JavaScript, no loader) that starts every agent command
// and git call on the worker's behalf. Forking a large worker process blocks its event loop for tens of
// milliseconds per spawn; forking this small one does not. When the worker goes away (even killed), the IPC channel
// closes and every process group this spawner started is killed.
import { spawn } from 'node:child_process';

const running = new Map(); // id -> { kill } of running commands
const leftovers = new Set(); // pgids still alive after their command returned

function killGroup(pgid) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

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
    child = spawn(msg.file, msg.args, { cwd: msg.cwd, env: msg.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    process.send({ type: 'done', id: msg.id, result: { exitCode: null, signal: null, output: `failed to start: ${error.message}\n`, stdout: '', truncated: false, timedOut: false, aborted: false, durationMs: 0, leftover: null } });
    return;
  }
  const pgid = child.pid;
  running.set(msg.id, {
    kill() {
      killed = true;
      if (pgid) killGroup(pgid);
    },
  });
  const stdoutChunks = [];
  const onData = (isStdout) => (chunk) => {
    if (isStdout && msg.keepStdout) stdoutChunks.push(chunk);
    chunks.push(chunk);
    bytes += chunk.length;
    while (bytes > msg.maxOutputBytes && chunks.length > 1) {
      const first = chunks.shift();
      bytes -= first.length;
      dropped += first.length;
    }
  };
  child.stdout.on('data', onData(true));
  child.stderr.on('data', onData(false));
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
      let leftover = null;
      if (pgid && groupAlive(pgid)) {
        if (timedOut || killed || !msg.keepLeftovers) killGroup(pgid);
        else {
          leftover = pgid;
          leftovers.add(pgid);
        }
      }
      let text = Buffer.concat(chunks).toString('utf8');
      if (bytes > msg.maxOutputBytes) text = text.slice(text.length - msg.maxOutputBytes);
      process.send({
        type: 'done',
        id: msg.id,
        result: {
          exitCode,
          signal,
          output: text,
          stdout: msg.keepStdout ? Buffer.concat(stdoutChunks).toString('utf8') : '',
          truncated: dropped > 0 || bytes > msg.maxOutputBytes,
          timedOut,
          aborted: killed,
          durationMs: Math.round(performance.now() - started),
          leftover,
        },
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

process.on('message', (msg) => {
  if (msg.type === 'run') run(msg);
  else if (msg.type === 'kill') running.get(msg.id)?.kill(); else if (msg.type === 'killGroups') {
    for (const pgid of msg.pgids) {
      killGroup(pgid);
      leftovers.delete(pgid);
    }
  }
});

process.on('disconnect', () => {
  for (const entry of running.values()) entry.kill();
  for (const pgid of leftovers) killGroup(pgid);
  process.exit(0);
});
