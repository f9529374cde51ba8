import { config } from '../config/index.js';

// Which database errors are worth retrying (Postgres restarting, unreachable, or a connection cut), and how long to wait.

/** SQLSTATE classes/codes that mean "try again": connection exceptions, admin shutdown, starting up, too many clients. */
const TRANSIENT_SQLSTATES = /^(08|57P0[1-3]|53300|40001|40P01)/;
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const TRANSIENT_MESSAGES = /Connection terminated|connection (?:is )?closed|terminating connection|the database system is (?:starting up|shutting down)|timeout exceeded when trying to connect|Can't reach database server|ECONNREFUSED|ECONNRESET/i;

export function isTransientDbError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const err = e as { code?: unknown; message?: unknown; cause?: unknown; meta?: { code?: unknown }; errors?: unknown[] };
    const code = typeof err.code === 'string' ? err.code : typeof err.meta?.code === 'string' ? err.meta.code : '';
    if (TRANSIENT_SQLSTATES.test(code) || TRANSIENT_NODE_CODES.has(code)) return true;
    if (code === 'P1001' || code === 'P1002' || code === 'P1017') return true; // Prisma: unreachable, timed out, closed
    if (typeof err.message === 'string' && TRANSIENT_MESSAGES.test(err.message)) return true;
    if (Array.isArray(err.errors) && err.errors.some(isTransientDbError)) return true; // AggregateError (IPv4 + IPv6)
    e = err.cause;
  }
  return false;
}

/** How long writers keep retrying while Postgres is unreachable before they give up (a run's lease stops it sooner). */
export const dbRetryLimitMs = () => config().worker.dbRetryLimitMs;

/** 100 ms, 200 ms, 400 ms … capped at 1 s, so a write lands within a second of Postgres coming back. */
export const retryDelayMs = (attempt: number) => Math.min(1000, 100 * 2 ** Math.min(attempt, 10));

/** Runs `fn`, retrying transient database errors with bounded backoff for up to `limitMs`. */
export async function withDbRetries<T>(fn: () => Promise<T>, limitMs: number, signal?: AbortSignal): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransientDbError(error) || Date.now() - started > limitMs || signal?.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
    }
  }
}
