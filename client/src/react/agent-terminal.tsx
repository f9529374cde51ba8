// <AgentTerminal projectId | runId />: a run's live terminal — status line, feature progress, cost, a stop button,
// and every event as styled lines (tool results collapsible, long output behind "show all"), windowed so 10,000s of
// events stay smooth, following the bottom until the user scrolls up.
import { useCallback, useMemo, useState } from 'react';
import type { Client } from '@urql/core';
import type { RunEvent } from '../follow-run.js';
import type { Progress } from '../progress.js';
import { useAgentRun, type AgentRun } from './use-agent-run.js';
import { buildRows, type Row } from './terminal-rows.js';
import { VirtualRows } from './virtual-rows.js';
import { ROW_HEIGHT, terminalCss } from './terminal-styles.js';

export interface AgentTerminalProps {
  projectId?: string | null;
  runId?: string | null;
  /** Pixel height of the scrolling area (default 420). */
  height?: number;
  client?: Client;
  className?: string;
}

export function AgentTerminal({ projectId, runId, height, client, className }: AgentTerminalProps) {
  const { run, events, progress, isRunning, stopRun, error } = useAgentRun(projectId, { runId, client });
  return <TerminalView run={run} events={events} progress={progress} isRunning={isRunning} onStop={stopRun} error={error} height={height} className={className} />;
}

export interface TerminalViewProps {
  run: AgentRun | null;
  events: readonly RunEvent[];
  progress: Progress;
  isRunning: boolean;
  onStop?: () => unknown;
  error?: Error | null;
  height?: number;
  className?: string;
}

const duration = (run: AgentRun) => {
  if (!run.startedAt) return null;
  const ms = (run.finishedAt ? Date.parse(run.finishedAt) : Date.now()) - Date.parse(run.startedAt);
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s` : `${Math.round(ms / 1000)}s`;
};

/** "paused: budget", "paused: rate_limited until 14:05:00": why it waits, and until when when it resumes by itself. */
const pausedLabel = (run: AgentRun) =>
  `paused${run.pausedReason ? `: ${run.pausedReason}` : ''}${run.resumeAt ? ` until ${new Date(run.resumeAt).toLocaleTimeString()}` : ''}`;

/** The terminal without data fetching: give it events (e.g. from useAgentRun or your own followRun loop). */
export function TerminalView({ run, events, progress, isRunning, onStop, error, height = 420, className }: TerminalViewProps) {
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [showAll, setShowAll] = useState<ReadonlySet<number>>(new Set());
  const [follow, setFollow] = useState(true);
  const [stopping, setStopping] = useState(false);
  const rows = useMemo(() => buildRows(events, { expanded, showAll }), [events, expanded, showAll]);
  // Opening a result is reading: stop following, or new events would scroll it away.
  const toggle = useCallback((seq: number) => {
    setFollow(false);
    setExpanded((s) => (s.has(seq) ? new Set([...s].filter((x) => x !== seq)) : new Set(s).add(seq)));
  }, []);
  const showAllOf = useCallback((seq: number) => {
    setFollow(false);
    setShowAll((s) => new Set(s).add(seq));
  }, []);
  const render = useCallback(
    (row: Row) => (
      <div
        key={row.key}
        className={`st-row k-${row.kind}`}
        data-seq={row.seq}
        data-kind={row.kind}
        data-toggle={row.toggles}
        data-more={row.showsAll}
        title={row.text.length > 120 ? row.text.slice(0, 2000) : undefined}
        onClick={row.toggles != null ? () => toggle(row.seq) : row.showsAll != null ? () => showAllOf(row.seq) : undefined}
      >
        {row.text || ' '}
      </div>
    ),
    [toggle, showAllOf],
  );
  const lastSeq = events.length ? events[events.length - 1].seq : 0;
  const cost = run?.usage.costUsd ?? 0;
  const stop = async () => {
    setStopping(true);
    try {
      await onStop?.();
    } finally {
      setStopping(false);
    }
  };

  return (
    <div className={`shipyard-terminal ${className ?? ''}`} data-event-count={events.length} data-last-seq={lastSeq} data-status={run?.status ?? ''}>
      <style>{terminalCss}</style>
      <div className="st-head">
        <span className="st-status" data-status={run?.status}>
          {run ? run.status : 'no run yet'}
        </span>
        {run?.stopReason ? <span className="st-muted">{run.stopReason}</span> : null}
        {run?.status === 'PAUSED' ? <span className="st-paused" data-paused-reason={run.pausedReason ?? ''}>{pausedLabel(run)}</span> : null}
        <span className="st-muted" title="features passing">
          {progress.passing}/{progress.total} features
        </span>
        <div className="st-bar" role="progressbar" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.passing}>
          <div style={{ width: `${Math.round(progress.ratio * 100)}%` }} />
        </div>
        <span className="st-muted" data-cost>${cost.toFixed(4)}</span>
        {run ? <span className="st-muted">{duration(run) ?? ''}</span> : null}
        <span className="st-muted">{events.length} events</span>
        {isRunning && onStop ? (
          <button className="st-stop" onClick={stop} disabled={stopping || run?.stopRequested}>
            {stopping || run?.stopRequested ? 'stopping…' : 'Stop'}
          </button>
        ) : null}
      </div>
      {error ? <div className="st-row k-error" role="alert">✖ {error.message}</div> : null}
      <div style={{ position: 'relative' }}>
        <VirtualRows className="st-body" rows={rows} rowHeight={ROW_HEIGHT} height={height} render={render} follow={follow} onFollowChange={setFollow} />
        {!follow ? (
          <button className="st-follow" onClick={() => setFollow(true)}>
            ↓ follow
          </button>
        ) : null}
      </div>
    </div>
  );
}
