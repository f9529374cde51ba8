// Records every SQL statement this process sends through node-postgres (what adapter-pg uses), by wrapping
// pg.Client#query. The statements still run against the real database; this only watches them.
import pg from 'pg';

export interface RecordedStatement {
  text: string;
  values: unknown[];
}

let recording: RecordedStatement[] | null = null;
let installed = false;

function install() {
  if (installed) return;
  installed = true;
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (recording) {
      const [first, second] = args;
      const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
      const values = (Array.isArray(second) ? second : ((first as { values?: unknown[] })?.values ?? [])) as unknown[];
      recording.push({ text, values });
    }
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

/** Runs `work` and returns the statements issued while it ran (the process must be otherwise idle). */
export async function recordSql<T>(work: () => Promise<T>): Promise<{ result: T; statements: RecordedStatement[] }> {
  install();
  const statements: RecordedStatement[] = [];
  recording = statements;
  try {
    const result = await work();
    return { result, statements };
  } finally {
    recording = null;
  }
}

/** "SELECT Project, Feature, ..." — the verb and the tables in order of appearance: the shape of a statement. */
export function statementShape(text: string): string {
  const verb = text.trim().split(/\s+/)[0].toUpperCase();
  // Prisma writes "public"."Table"; hand-written statements name tables after FROM / JOIN / INTO / UPDATE.
  const tables = [...text.matchAll(/(?:"public"\.|\b(?:FROM|JOIN|INTO|UPDATE)\s+)"([A-Z_][A-Za-z_]*)"/g)].map((m) => m[1]);
  return `${verb} ${[...new Set(tables)].join(', ')}`.trim();
}
