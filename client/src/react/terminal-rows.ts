// Turns events into terminal rows: one line each, fixed height, so the terminal can window 10,000s of them.
// A tool result is one row; expanded, its output follows as rows (the first PREVIEW_LINES, or all after "show all").
import type { RunEvent } from '../follow-run.js';

export type RowKind = 'status' | 'paused' | 'text' | 'tool-call' | 'tool-result' | 'tool-error' | 'output' | 'more' | 'test-pass' | 'test-fail' | 'commit' | 'feature' | 'feature-pass' | 'error' | 'complete';

export interface Row {
  key: string;
  seq: number;
  kind: RowKind;
  text: string;
  /** Clicking the row toggles the output of this tool result (by seq). */
  toggles?: number;
  /** Clicking the row shows every line of this tool result (by seq). */
  showsAll?: number;
}

export const PREVIEW_LINES = 20;

export interface Expansion {
  expanded: ReadonlySet<number>;
  showAll: ReadonlySet<number>;
}

const oneLine = (text: string, max = 400) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
};

const seconds = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

function toolCallText(name: string, input: unknown): string {
  const args = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  if (name === 'bash' && typeof args.command === 'string') return `$ ${oneLine(args.command)}`;
  if (typeof args.path === 'string') return `✎ ${typeof args.command === 'string' ? args.command : name} ${args.path}`;
  return `${name} ${oneLine(JSON.stringify(input ?? {}), 300)}`;
}

function eventRows(event: RunEvent, expansion: Expansion, out: Row[]): void {
  const { seq } = event;
  const row = (kind: RowKind, text: string, extra: Partial<Row> = {}): void => void out.push({ key: `${seq}`, seq, kind, text, ...extra });
  const data = event.data;
  switch (data?.__typename) {
    case 'StatusEvent':
      return row(
        data.status === 'PAUSED' ? 'paused' : 'status',
        `● ${data.status}${data.reason ? ` (${data.reason})` : ''}${data.session ? ` · session ${data.session}` : ''}${data.message ? ` — ${oneLine(data.message ?? "")}` : ''}`,
      );
    case 'TextEvent': {
      const lines = data.text.split('\n');
      lines.forEach((line, i) => out.push({ key: `${seq}:${i}`, seq, kind: 'text', text: line }));
      return;
    }
    case 'ToolCallEvent':
      return row('tool-call', toolCallText(data.name, data.input));
    case 'ToolResultEvent': {
      const lines = data.output.replace(/\n$/, '').split('\n');
      const open = expansion.expanded.has(seq);
      const size = data.output ? `${lines.length} line${lines.length === 1 ? '' : 's'}` : 'no output';
      row(data.isError ? 'tool-error' : 'tool-result', `${open ? '▾' : '▸'} ${data.name} ${data.isError ? 'failed' : 'ok'} · ${size}${data.durationMs != null ? ` · ${seconds(data.durationMs)}` : ''}${data.truncated ? ' · truncated' : ''}`, { toggles: seq });
      if (!open || !data.output) return;
      const shown = expansion.showAll.has(seq) ? lines : lines.slice(0, PREVIEW_LINES);
      shown.forEach((line, i) => out.push({ key: `${seq}:${i}`, seq, kind: 'output', text: line }));
      if (shown.length < lines.length) out.push({ key: `${seq}:more`, seq, kind: 'more', text: `show all (${lines.length - shown.length} more lines)`, showsAll: seq });
      return;
    }
    case 'TestEvent':
      return row(data.passed ? 'test-pass' : 'test-fail', `${data.passed ? '✔' : '✘'} test ${oneLine(data.command)} · exit ${data.exitCode ?? '—'} · ${seconds(data.durationMs ?? 0)}`);
    case 'CommitEvent':
      return row('commit', `⎇ commit ${data.sha.slice(0, 8)} ${oneLine(data.message ?? "")} · ${data.filesChanged.length} file${data.filesChanged.length === 1 ? '' : 's'}`);
    case 'FeatureEvent':
      return row(data.passes ? 'feature-pass' : 'feature', `${data.passes ? '★ passing' : '☐ feature'} #${data.index} ${oneLine(data.description)}`);
    case 'ErrorEvent':
      return row('error', `✖ ${oneLine(data.message ?? "")}${data.code ? ` (${data.code})` : ''}${data.retryable ? ' · retrying' : ''}`);
    case 'CompleteEvent':
      return row('complete', `■ ${data.status}${data.stopReason ? ` — ${data.stopReason}` : ''}${data.costUsd != null ? ` · $${data.costUsd.toFixed(4)}` : ''}`);
    default:
      return row('text', `${event.type} ${oneLine(JSON.stringify(event.payload ?? null), 300)}`);
  }
}

export function buildRows(events: readonly RunEvent[], expansion: Expansion): Row[] {
  const rows: Row[] = [];
  for (const event of events) eventRows(event, expansion, rows);
  return rows;
}
