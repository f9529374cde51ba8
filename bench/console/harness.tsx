// The page bench/console.ts drives in Chromium: renders N synthetic events in TerminalView (windowed) or as every
// row in the DOM (the baseline), and scrolls the result, for the Performance API to measure.
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { TerminalView, buildRows } from '../../client/src/react/index.js';
import { progressOf, type RunEvent } from '../../client/src/index.js';

function syntheticEvents(n: number): RunEvent[] {
  const events: RunEvent[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const at = new Date(1_700_000_000_000 + seq * 10).toISOString();
    const base = { seq, createdAt: at, payload: {} };
    switch (seq % 6) {
      case 0: events.push({ ...base, type: 'TEXT', data: { __typename: 'TextEvent', text: `Thinking about step ${seq}: reading the code and planning the change.`, session: 1 } }); break;
      case 1: events.push({ ...base, type: 'TOOL_CALL', data: { __typename: 'ToolCallEvent', toolUseId: `t${seq}`, name: 'bash', input: { command: `npm test -- --grep case-${seq}` }, session: 1 } }); break;
      case 2: events.push({ ...base, type: 'TOOL_RESULT', data: { __typename: 'ToolResultEvent', toolUseId: `t${seq}`, name: 'bash', isError: seq % 12 === 2, output: Array.from({ length: 30 }, (_, i) => `line ${i} of output ${seq}`).join('\n'), truncated: false, durationMs: 120 } }); break;
      case 3: events.push({ ...base, type: 'TEST', data: { __typename: 'TestEvent', command: 'npm test', exitCode: 0, passed: true, durationMs: 1500, outputTail: 'ok' } }); break;
      case 4: events.push({ ...base, type: 'COMMIT', data: { __typename: 'CommitEvent', sha: `${seq}`.padStart(40, 'a'), message: `Implement feature ${seq}`, filesChanged: ['src/a.ts', 'src/b.ts'] } }); break;
      default: events.push({ ...base, type: 'FEATURE', data: { __typename: 'FeatureEvent', index: seq, description: `Feature ${seq}`, passes: true } });
    }
  }
  return events;
}

/** Every row in the DOM: what a terminal without windowing costs. */
function AllRows({ events }: { events: RunEvent[] }) {
  const rows = buildRows(events, { expanded: new Set(), showAll: new Set() });
  return (
    <div className="shipyard-terminal">
      <div className="st-body" style={{ height: 600, overflowY: 'auto' }}>
        {rows.map((row) => <div key={row.key} className={`st-row k-${row.kind}`}>{row.text}</div>)}
      </div>
    </div>
  );
}

let root: Root | null = null;
const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

declare global {
  interface Window {
    renderTerminal: (n: number, mode: 'windowed' | 'all') => Promise<number>;
    scrollTerminal: (steps: number) => Promise<{ longTasks: number[]; ms: number }>;
  }
}

window.renderTerminal = async (n, mode) => {
  root?.unmount();
  const container = document.getElementById('root')!;
  root = createRoot(container);
  const events = syntheticEvents(n);
  await frame();
  const start = performance.now();
  flushSync(() =>
    root!.render(mode === 'windowed' ? <TerminalView run={null} events={events} progress={progressOf(new Map())} isRunning={false} height={600} /> : <AllRows events={events} />),
  );
  container.getBoundingClientRect(); // layout
  await frame(); // and the paint that follows
  return performance.now() - start;
};

window.scrollTerminal = async (steps) => {
  const longTasks: number[] = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
  observer.observe({ type: 'longtask' });
  const body = document.querySelector<HTMLElement>('.st-body')!;
  const start = performance.now();
  for (let i = 1; i <= steps; i++) {
    body.scrollTop = (body.scrollHeight - body.clientHeight) * (i % 2 ? i / steps : 1 - i / steps);
    await frame();
  }
  await frame();
  observer.disconnect();
  return { longTasks, ms: performance.now() - start };
};
