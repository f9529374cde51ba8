// What bench:events prints: the three paths, Shipyard's latency split at the PUBLISH, who used the cores, the API's CPU
// per delivered event, and the goals of issue 12 point 8 (against the bare durable path) with their verdicts.
import { loadavg } from 'node:os';
import { fmt, percentile } from './support.js';
import { formatCpu, type CpuUsage } from './process-cpu.js';
import type { Tally } from './recorder.js';

export interface Audit {
  lost: number;
  duplicated: number;
  outOfOrder: number;
}

/** Checks every subscriber saw exactly `expected` (in order); returns lost and duplicated counts over all subscribers. */
export function audit(tally: Tally, expected: number[]): Audit {
  let lost = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (const seqs of tally.received) {
    const unique = new Set(seqs);
    duplicated += seqs.length - unique.size;
    lost += expected.filter((s) => !unique.has(s)).length;
    for (let i = 1; i < seqs.length; i++) if (seqs[i]! <= seqs[i - 1]!) outOfOrder++;
  }
  return { lost, duplicated, outOfOrder };
}

export const seqRange = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

export interface PathResult {
  /** Latencies of the latency phase, ascending. */
  sorted: number[];
  /** Events per second in the throughput phase (not measured for the bare durable path). */
  throughput?: number;
  audits: Audit[];
  cpu?: CpuUsage;
}

export interface EventsReport {
  subscribers: number;
  transport: 'sse' | 'ws';
  raw: PathResult;
  durable: PathResult;
  shipyard: PathResult;
  /** Shipyard's emit → PUBLISH arrived (a probe in the benchmark process) and PUBLISH arrived → delivered, ascending. */
  publishSplit: { toPublish: number[]; afterPublish: number[] };
  /** The API process's CPU time and the deliveries (events × subscribers) it made meanwhile, per phase. */
  apiCpu: { latency: { ms: number; deliveries: number }; throughput: { ms: number; deliveries: number } };
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

export function printHeader(text: string): void {
  console.log(`${text}\nload average at start: ${load()} (1, 5, 15 min)\n`);
}

export function printReport(r: EventsReport): void {
  const total = (a: Audit[]) => a.reduce((sum, x) => ({ lost: sum.lost + x.lost, duplicated: sum.duplicated + x.duplicated, outOfOrder: sum.outOfOrder + x.outOfOrder }), { lost: 0, duplicated: 0, outOfOrder: 0 });
  const row = (name: string, p: PathResult) => {
    const a = total(p.audits);
    const throughput = p.throughput === undefined ? '(latency phase only)'.padEnd(47) : `throughput ${fmt(p.throughput, 0).padStart(7)} ev/s (×${r.subscribers} subscribers)`;
    return `${name.padEnd(40)} p50 ${fmt(percentile(p.sorted, 50)).padStart(8)} ms   p99 ${fmt(percentile(p.sorted, 99)).padStart(8)} ms   ${throughput}   lost ${a.lost} duplicated ${a.duplicated} out-of-order ${a.outOfOrder}`;
  };
  console.log(row('raw ioredis publish→subscribe', r.raw));
  console.log(row('bare durable INSERT→PUBLISH→subscribe', r.durable));
  console.log(row(`Shipyard emit→persist→publish→${r.transport === 'ws' ? 'WS' : 'SSE'}`, r.shipyard));
  const { toPublish, afterPublish } = r.publishSplit;
  console.log(`  of which emit→INSERT committed→PUBLISH arrived: p50 ${fmt(percentile(toPublish, 50))} ms, p99 ${fmt(percentile(toPublish, 99))} ms`);
  console.log(`  and PUBLISH arrived→delivered (Redis → API → subscriber): p50 ${fmt(percentile(afterPublish, 50))} ms, p99 ${fmt(percentile(afterPublish, 99))} ms`);
  console.log(`CPU (% of one core) during the latency rounds, raw: ${formatCpu(r.raw.cpu)}`);
  console.log(`CPU (% of one core) during the latency rounds, bare durable: ${formatCpu(r.durable.cpu)}`);
  console.log(`CPU (% of one core) during the latency rounds, Shipyard: ${formatCpu(r.shipyard.cpu)}`);
  const perDelivery = (p: { ms: number; deliveries: number }) => `${fmt((1000 * p.ms) / p.deliveries)} µs (${fmt(p.ms, 0)} ms for ${p.deliveries} deliveries)`;
  console.log(`API CPU per delivered event: latency rounds ${perDelivery(r.apiCpu.latency)}, throughput phase ${perDelivery(r.apiCpu.throughput)}`);

  const ship = r.shipyard.sorted;
  const p99Delta = percentile(ship, 99) - percentile(r.durable.sorted, 99);
  const p50Delta = percentile(ship, 50) - percentile(r.durable.sorted, 50);
  const ratio = r.shipyard.throughput! / r.raw.throughput!;
  const shipAudit = total(r.shipyard.audits);
  const lossless = shipAudit.lost === 0 && shipAudit.duplicated === 0 && shipAudit.outOfOrder === 0;
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  console.log(`\np99 latency: Shipyard − bare durable = ${fmt(p99Delta)} ms (goal ≤ 5 ms: ${verdict(p99Delta <= 5)})`);
  console.log(`p50 latency: Shipyard − bare durable = ${fmt(p50Delta)} ms (goal ≤ 2 ms: ${verdict(p50Delta <= 2)})`);
  console.log(`throughput ratio Shipyard/raw = ${fmt(ratio * 100, 1)}% (goal ≥ 50%: ${verdict(ratio >= 0.5)})`);
  console.log(`events lost, duplicated or out of order through Shipyard: ${lossless ? '0 (goal met)' : `${shipAudit.lost} lost, ${shipAudit.duplicated} duplicated, ${shipAudit.outOfOrder} out of order (goal NOT met)`}`);
  console.log(`for reference: p99 Shipyard − raw = ${fmt(percentile(ship, 99) - percentile(r.raw.sorted, 99))} ms, p50 Shipyard/raw = ${fmt(percentile(ship, 50) / percentile(r.raw.sorted, 50))}×`);
  console.log(`load average at end: ${load()}`);
}
