// Per-event membership checks of live subscriptions (src/subscriptions/access.ts): answered synchronously from a cache that
// is refreshed ahead of expiry, so a stream never waits on the query, and a removal still takes effect within ~1 s.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './helpers/database.js';
import { createProjectRow } from './helpers/run-fixtures.js';
import { MEMBERSHIP_TTL_MS, MembershipCache } from '../src/subscriptions/access.js';

const database = useTestDatabase();

describe('membership check', () => {
  it('keeps answering synchronously across refreshes and refuses within about a TTL of a removal', async () => {
    const { project, userId } = await createProjectRow(database.db);
    const check = new MembershipCache().check(database.db, userId, project.id);
    const first = check();
    expect(first).toBeInstanceOf(Promise); // nothing cached yet: asks Postgres
    await first;

    // Checked every 10 ms for 2.5 TTLs: never a promise again (the refresh runs beside the answers).
    let promises = 0;
    const start = Date.now();
    while (Date.now() - start < MEMBERSHIP_TTL_MS * 2.5) {
      if (check() instanceof Promise) promises++;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(promises).toBe(0);

    await database.db.projectMember.delete({ where: { projectId_userId: { projectId: project.id, userId } } });
    const removedAt = Date.now();
    let refusedAfter: number | null = null;
    while (refusedAfter === null && Date.now() - removedAt < MEMBERSHIP_TTL_MS * 4) {
      try {
        const answer = check();
        if (answer instanceof Promise) await answer;
      } catch (error) {
        expect((error as { extensions?: { code?: string } }).extensions?.code).toBe('FORBIDDEN');
        refusedAfter = Date.now() - removedAt;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(refusedAfter).not.toBeNull();
    expect(refusedAfter!).toBeLessThan(MEMBERSHIP_TTL_MS * 2);
  });

  it("keeps an open stream's entry warm through a quiet spell, and stops once the stream ends", async () => {
    const { project, userId } = await createProjectRow(database.db);
    const cache = new MembershipCache();
    const stream = new AbortController();
    const check = cache.check(database.db, userId, project.id, 'VIEWER', stream.signal);
    await check();
    const quiet = () => new Promise((r) => setTimeout(r, MEMBERSHIP_TTL_MS * 2.5));

    await quiet(); // no event for longer than the TTL: the entry was refreshed meanwhile
    expect(check()).toBeUndefined(); // answered from the cache, no query to wait for

    stream.abort();
    await quiet();
    expect(check()).toBeInstanceOf(Promise); // nobody keeps it warm any more: it expired
  });
});
