// The worker's process spawner: a small Node process (plain JavaScript, no loader) that starts every agent command
// and git call on the worker's behalf. Forking a large worker process blocks its event loop for tens of
// milliseconds per spawn; forking this small one does not. When the worker goes away (even killed), the IPC channel
// closes and every process group this spawner started is killed.
import { groupAlive, killGroup, startCommand } from '../sandbox/command-process.mjs';

const running = new Map(); // id -> kill() of running commands
const leftovers = new Set(); // pgids still alive after their command returned

function run(msg) {
  const kill = startCommand(msg, (outcome, pgid) => {
    running.delete(msg.id);
    let leftover = null;
    if (pgid && groupAlive(pgid)) {
      if (outcome.timedOut || outcome.aborted || !msg.keepLeftovers) killGroup(pgid);
      else {
        leftover = pgid;
        leftovers.add(pgid);
      }
    }
    process.send({ type: 'done', id: msg.id, result: { ...outcome, leftover } });
  });
  running.set(msg.id, kill);
}

process.on('message', (msg) => {
  if (msg.type === 'run') run(msg);
  else if (msg.type === 'kill') running.get(msg.id)?.();
  else if (msg.type === 'killGroups') {
    for (const pgid of msg.pgids) {
      killGroup(pgid);
      leftovers.delete(pgid);
    }
  }
});

process.on('disconnect', () => {
  for (const kill of running.values()) kill();
  for (const pgid of leftovers) killGroup(pgid);
  process.exit(0);
});
