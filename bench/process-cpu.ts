// CPU time per process group during a benchmark phase, read from /proc (Linux; elsewhere nothing is printed).
// On a shared machine a latency tail is mostly other processes holding the cores, so each phase also reports who
// used them: user + system time of every thread of the processes in each group.
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessGroups {
  [name: string]: () => number[];
}

/** user + system CPU time of a process (all its threads), in ms; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Every process whose command line starts with `prefix` (e.g. the Postgres server and its backends). */
export function pidsByCommand(prefix: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').startsWith(prefix)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** CPU time per group (ms) over a wall time (ms); several measurements add up (alternating rounds). */
export interface CpuUsage {
  wallMs: number;
  ms: Record<string, number>;
}

/** Starts measuring; the returned function gives each group's CPU time since, and the wall time. */
export function measureCpu(groups: ProcessGroups): (() => CpuUsage) | null {
  if (process.platform !== 'linux') return null;
  const start = performance.now();
  const before = new Map<number, number>();
  const pidsOf = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, pids()]));
  for (const pids of Object.values(pidsOf)) for (const pid of pids) before.set(pid, cpuMs(pid));
  return () => {
    const wallMs = performance.now() - start;
    const ms: Record<string, number> = {};
    for (const [name, pids] of Object.entries(pidsOf)) {
      // Processes that started meanwhile (a new Postgres backend) count from zero.
      const fresh = groups[name]!().filter((pid) => !before.has(pid));
      ms[name] = [...pids, ...fresh].reduce((sum, pid) => sum + Math.max(0, cpuMs(pid) - (before.get(pid) ?? 0)), 0);
    }
    return { wallMs, ms };
  };
}

export function addCpu(total: CpuUsage | undefined, more: CpuUsage | undefined): CpuUsage | undefined {
  if (!total || !more) return total ?? more;
  const ms = { ...total.ms };
  for (const [name, used] of Object.entries(more.ms)) ms[name] = (ms[name] ?? 0) + used;
  return { wallMs: total.wallMs + more.wallMs, ms };
}

/** Each group's CPU as % of one core over the wall time. */
export const formatCpu = (usage: CpuUsage | undefined) =>
  usage ? Object.entries(usage.ms).map(([name, used]) => `${name} ${((100 * used) / usage.wallMs).toFixed(0)}%`).join(', ') : 'n/a';
