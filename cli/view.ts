// How a followed run looks in the terminal. On a TTY: colours, tool output collapsed into one summary line, and a
// status line (feature progress bar, cost, status) kept at the bottom and redrawn in place. Otherwise: plain lines.
import type { RunEvent } from './follow.js';

export interface Progress {
  status: string;
  passing: number;
  total: number;
  costUsd: number;
}

const ESC = '\x1b[';
const CLEAR_LINE = `\r${ESC}2K`;

const oneLine = (text: string, max = 160) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

function toolInput(name: string, input: unknown): string {
  const value = (input ?? {}) as Record<string, unknown>;
  if (typeof value.command === 'string') return value.command;
  if (typeof value.path === 'string') return `${value.command ?? ''} ${value.path}`.trim();
  if (typeof value.pattern === 'string') return value.pattern;
  return name === 'run_tests' ? '' : JSON.stringify(value);
}

export class RunView {
  private readonly tty: boolean;
  private readonly colour: boolean;
  private progress: Progress | undefined;
  private readonly started = Date.now();
  private statusShown = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.tty = !!out.isTTY;
    this.colour = this.tty && !process.env.NO_COLOR;
  }

  private paint(code: string, text: string): string {
    return this.colour ? `${ESC}${code}m${text}${ESC}0m` : text;
  }

  /** Prints one line above the status line (which is redrawn below it). */
  private line(text: string): void {
    if (this.tty) {
      this.out.write(`${CLEAR_LINE}${text}\n`);
      this.drawStatus();
    } else this.out.write(`${text}\n`);
  }

  private statusText(): string {
    const p = this.progress;
    if (!p) return '';
    const width = 24;
    const filled = p.total ? Math.round((p.passing / p.total) * width) : 0;
    const bar = this.paint('32', '█'.repeat(filled)) + this.paint('2', '░'.repeat(width - filled));
    const seconds = Math.round((Date.now() - this.started) / 1000);
    return `[${bar}] ${p.passing}/${p.total} features · $${p.costUsd.toFixed(4)} · ${p.status} · ${seconds}s`;
  }

  private drawStatus(): void {
    const text = this.statusText();
    if (!this.tty || !text) return;
    this.out.write(`${CLEAR_LINE}${text}`);
    this.statusShown = true;
  }

  update(progress: Progress): void {
    const changed = JSON.stringify(progress) !== JSON.stringify(this.progress);
    this.progress = progress;
    if (this.tty) this.drawStatus();
    else if (changed && progress.total) this.out.write(`progress ${progress.passing}/${progress.total} features · $${progress.costUsd.toFixed(4)} · ${progress.status}\n`);
  }

  event(event: RunEvent): void {
    const p = event.payload;
    const seq = this.paint('2', `#${event.seq}`);
    switch (event.type) {
      case 'STATUS':
        return this.line(`${seq} ${this.paint('36', '●')} status ${this.paint('1', String(p.status))}${p.message ? ` — ${oneLine(String(p.message))}` : ''}`);
      case 'TEXT':
        return this.line(`${seq} ${oneLine(String(p.text ?? ''), this.tty ? 200 : 2000)}`);
      case 'TOOL_CALL':
        return this.line(`${seq} ${this.paint('35', '→')} ${p.name}: ${oneLine(toolInput(String(p.name), p.input))}`);
      case 'TOOL_RESULT': {
        const output = String(p.output ?? '');
        const lines = output ? output.split('\n').length : 0;
        const summary = `${p.isError ? 'error' : 'ok'} · ${lines} line${lines === 1 ? '' : 's'}${p.durationMs != null ? ` · ${p.durationMs} ms` : ''}`;
        const first = output.trim() ? ` · ${oneLine(output.trim().split('\n')[0]!, 80)}` : '';
        return this.line(`${seq}   ${this.paint(p.isError ? '31' : '2', `↳ ${summary}${first}`)}`);
      }
      case 'FEATURE':
        return this.line(`${seq} ${this.paint(p.passes ? '32' : '33', p.passes ? '✔' : '○')} feature ${p.index} ${p.passes ? 'passing' : 'failing'}: ${oneLine(String(p.description))}`);
      case 'COMMIT':
        return this.line(`${seq} ${this.paint('34', '⎇')} commit ${String(p.sha).slice(0, 7)} ${oneLine(String(p.message))} (${(p.filesChanged as unknown[] | undefined)?.length ?? 0} files)`);
      case 'TEST':
        return this.line(`${seq} ${this.paint(p.passed ? '32' : '31', p.passed ? '✔ test passed' : '✘ test failed')}: ${oneLine(String(p.command))} (exit ${p.exitCode}, ${p.durationMs} ms)`);
      case 'ERROR':
        return this.line(`${seq} ${this.paint('31', '✘ error')}: ${oneLine(String(p.message))}`);
      case 'COMPLETE':
        return this.line(
          `${seq} ${this.paint(p.status === 'SUCCEEDED' ? '32;1' : '31;1', `■ run ${p.status}`)}${p.stopReason ? ` (${p.stopReason})` : ''}${
            typeof p.costUsd === 'number' ? ` · $${p.costUsd.toFixed(4)}` : ''
          }`,
        );
      default:
        return this.line(`${seq} ${event.type.toLowerCase()} ${oneLine(JSON.stringify(p))}`);
    }
  }

  /** Leaves the final status line in place. */
  close(): void {
    if (this.tty && this.statusShown) this.out.write(`${CLEAR_LINE}${this.statusText()}\n`);
  }
}
