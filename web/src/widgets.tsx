// Small shared pieces of the console's pages.
/** A run's status; a PAUSED one says why (user, budget, rate_limited) when the reason is known. */
export function Status({ status, reason }: { status: string; reason?: string | null }) {
  return <span className={`status s-${status}`}>{status === 'PAUSED' && reason ? `PAUSED: ${reason}` : status}</span>;
}

export function ProgressBar({ passing, total }: { passing: number; total: number }) {
  return (
    <span className="progress" title={`${passing}/${total} features passing`}>
      <span style={{ width: `${total ? Math.round((passing / total) * 100) : 0}%` }} />
    </span>
  );
}

export const money = (usd: number) => `$${usd.toFixed(4)}`;

export function duration(start?: string | null, end?: string | null) {
  if (!start) return '—';
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s` : `${(ms / 1000).toFixed(1)}s`;
}
