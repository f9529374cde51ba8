// One command as a process of its own (plain JavaScript, no dependency): shared by the worker's process spawner
// (worker/tools/spawner-child.mjs) and the command server inside each sandbox (sandbox-server.mjs, which has it
// mounted next to it). What happens to the command's process group afterwards is the caller's decision.
import { spawn } from 'node:child_process';

export function killGroup(pgid) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `file args` in a new process group, keeps the last maxOutputBytes of stdout+stderr (and all of stdout with
 * keepStdout), and kills the group after timeoutMs. Calls onFinished once, always asynchronously, with the outcome
 * ({ exitCode, signal, output, stdout, truncated, timedOut, aborted, durationMs }) and the group id (undefined when
 * the process never started). Returns the function that kills the command (the outcome then says aborted).
 */
export function startCommand(request, onFinished) {
  const started = performance.now();
  const chunks = [];
  const stdoutChunks = [];
  let bytes = 0;
  let dropped = 0;
  let timedOut = false;
  let killed = false;
  let settled = false;
  let child;
  try {
    child = spawn(request.file, request.args, { cwd: request.cwd, env: request.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const output = `failed to start: ${error.message}\n`;
    setImmediate(() => onFinished({ exitCode: null, signal: null, output, stdout: '', truncated: false, timedOut: false, aborted: false, durationMs: 0 }, undefined));
    return () => {};
  }
  const pgid = child.pid;
  const onData = (isStdout) => (chunk) => {
    if (isStdout && request.keepStdout) stdoutChunks.push(chunk);
    chunks.push(chunk);
    bytes += chunk.length;
    while (bytes > request.maxOutputBytes && chunks.length > 1) {
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
  }, request.timeoutMs);
  const finish = (exitCode, signal) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    setImmediate(() => {
      child.stdout.destroy();
      child.stderr.destroy();
      let output = Buffer.concat(chunks).toString('utf8');
      if (bytes > request.maxOutputBytes) output = output.slice(output.length - request.maxOutputBytes);
      onFinished(
        {
          exitCode,
          signal,
          output,
          stdout: request.keepStdout ? Buffer.concat(stdoutChunks).toString('utf8') : '',
          truncated: dropped > 0 || bytes > request.maxOutputBytes,
          timedOut,
          aborted: killed,
          durationMs: Math.round(performance.now() - started),
        },
        pgid,
      );
    });
  };
  // 'close' waits for the pipes; a background child can hold them open, so after 'exit' give them a moment only.
  child.on('close', finish);
  child.on('exit', (code, signal) => setTimeout(() => finish(code, signal), 150).unref());
  child.on('error', (error) => {
    chunks.push(Buffer.from(`failed to start: ${error.message}\n`));
    finish(null, null);
  });
  return () => {
    killed = true;
    if (pgid) killGroup(pgid);
  };
}
