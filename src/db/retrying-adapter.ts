// A driver adapter that retries statements which certainly never ran (Postgres unreachable, restarting, or it
// terminated the statement before commit) with bounded backoff. Used by worker processes, so a Postgres restart
// delays the agent runtime's reads and writes instead of failing the run. Statements inside a transaction and
// statements cut mid-flight (they may have committed) are not retried here.
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';
import { retryDelayMs } from './transient.js';

const NEVER_RAN_KINDS = new Set(['DatabaseNotReachable', 'TooManyConnections']);
/** admin_shutdown, crash_shutdown, cannot_connect_now: the statement was rolled back or never started. */
const NEVER_RAN_CODES = /^57P0[1-3]$/;

function statementNeverRan(error: unknown): boolean {
  const cause = (error as { cause?: { kind?: string; code?: string } } | null)?.cause;
  if (!cause) return false;
  if (NEVER_RAN_KINDS.has(cause.kind ?? '')) return true;
  return cause.kind === 'postgres' && NEVER_RAN_CODES.test(cause.code ?? '');
}

export function retryingAdapter(inner: SqlDriverAdapterFactory, limitMs: number): SqlDriverAdapterFactory {
  const retry = async <T>(run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (!statementNeverRan(error) || Date.now() - started > limitMs) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
      }
    }
  };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await inner.connect();
      return {
        provider: adapter.provider,
        adapterName: adapter.adapterName,
        queryRaw: (query: SqlQuery) => retry(() => adapter.queryRaw(query)),
        executeRaw: (query: SqlQuery) => retry(() => adapter.executeRaw(query)),
        executeScript: (script: string) => adapter.executeScript(script),
        startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
        getConnectionInfo: adapter.getConnectionInfo ? () => adapter.getConnectionInfo!() : undefined,
        dispose: () => adapter.dispose(),
      };
    },
  };
}
