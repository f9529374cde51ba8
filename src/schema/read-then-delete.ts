// Delete mutations answer the row as it was: read it first (with the client's selection), then delete it.
import { notFound } from '../errors.js';

/** The row `read` finds, after `remove` deleted it; NOT_FOUND (naming `what`) when there is none. */
export async function readThenDelete<Row>(what: string, read: () => Promise<Row | null>, remove: () => Promise<unknown>): Promise<Row> {
  const row = await read();
  if (!row) throw notFound(what);
  await remove();
  return row;
}
