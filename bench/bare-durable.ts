// The bare durable path of bench:events: the floor of any persist-then-publish design on this machine. The events
// emitted meanwhile go into one INSERT (the sink's statement, straight through pg), and once it committed, one PUBLISH
// of that batch; raw subscribers read it. No validation, no seq allocation, no API, no GraphQL.
import type { Redis } from 'ioredis';
import type pg from 'pg';

export function bareDurableEmitter(pool: pg.Pool, publisher: Redis, runId: string, channel: string) {
  let pending: { seq: number; text: string; createdAt: string }[] = [];
  let writing: Promise<void> | null = null;
  const write = async () => {
    while (pending.length) {
      const batch = pending;
      pending = [];
      await pool.query({
        name: 'bench_bare_insert',
        text: `INSERT INTO "AgentRunEvent" ("runId", "seq", "type", "payload", "createdAt")
         SELECT $1::uuid, e.seq, 'TEXT'::"AgentRunEventType", e.payload::jsonb, e."createdAt"::timestamp
         FROM unnest($2::int[], $3::text[], $4::text[]) AS e(seq, payload, "createdAt")`,
        values: [runId, batch.map((e) => e.seq), batch.map((e) => JSON.stringify({ text: e.text })), batch.map((e) => e.createdAt)],
      });
      await publisher.publish(channel, JSON.stringify(batch.map((e) => ({ seq: e.seq, payload: { text: e.text } }))));
    }
    writing = null;
  };
  return {
    emit(seq: number, text: string) {
      pending.push({ seq, text, createdAt: new Date().toISOString() });
      writing ??= write();
    },
    flush: () => writing ?? Promise.resolve(),
  };
}
