// Turns what happened in the workspace into rows and events: new commits (HEAD moved) and test command runs.
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { boundText, type EventSink } from '../../src/events/types.js';
import type { TestRun } from '../tools/index.js';
import { commitsSince, readHead } from '../workspace.js';

const OUTPUT_TAIL_CHARS = 4_000;

export class CommitTracker {
  private head: string | null;

  constructor(
    private readonly root: string,
    private readonly db: PrismaClient,
    private readonly projectId: string,
    private readonly runId: string,
    private readonly events: EventSink,
  ) {
    this.head = readHead(root);
  }

  /** Records commits made since the project's last recorded one (e.g. before a crash), once per run start. */
  async catchUp(): Promise<void> {
    const head = readHead(this.root);
    if (!head) return;
    const known = await this.db.commit.findFirst({ where: { projectId: this.projectId, sha: head }, select: { id: true } });
    if (known) {
      this.head = head;
      return;
    }
    const last = await this.db.commit.findFirst({ where: { projectId: this.projectId }, orderBy: { committedAt: 'desc' }, select: { sha: true } });
    this.head = last?.sha ?? null;
    await this.check();
  }

  /** Cheap (reads .git directly) unless HEAD moved. */
  async check(): Promise<number> {
    const head = readHead(this.root);
    if (head === this.head || head === null) return 0;
    const previous = this.head;
    this.head = head;
    let commits = await commitsSince(this.root, previous);
    if (previous && commits.length === 0 && !(await this.db.commit.findFirst({ where: { projectId: this.projectId, sha: head } }))) {
      // HEAD moved to a commit not descending from the old one (amend, reset): record HEAD itself.
      commits = (await commitsSince(this.root, `${head}~1`)).filter((c) => c.sha === head);
      if (!commits.length) commits = (await commitsSince(this.root, null, 1)).filter((c) => c.sha === head);
    }
    if (!commits.length) return 0;
    const existing = new Set(
      (await this.db.commit.findMany({ where: { projectId: this.projectId, sha: { in: commits.map((c) => c.sha) } }, select: { sha: true } })).map((c) => c.sha),
    );
    const fresh = commits.filter((c) => !existing.has(c.sha));
    if (!fresh.length) return 0;
    await this.db.commit.createMany({
      data: fresh.map((c) => ({ projectId: this.projectId, runId: this.runId, sha: c.sha, message: c.message, filesChanged: c.filesChanged, committedAt: c.committedAt })),
      skipDuplicates: true,
    });
    for (const c of fresh) {
      this.events.emit({ type: 'COMMIT', payload: { sha: c.sha, message: boundText(c.message).text, filesChanged: c.filesChanged.slice(0, 500) } });
    }
    return fresh.length;
  }
}

export interface TestRecordLink {
  kind: 'VERIFICATION' | 'VERIFIER';
  feature: { id: string; index: number };
  sha: string | null;
}

/** A TestResult row and a TEST event; `link` marks a platform verification of a feature. Returns the row id. */
export async function recordTestRun(db: PrismaClient, events: EventSink, projectId: string, runId: string, test: TestRun, link?: TestRecordLink): Promise<string> {
  const outputTail = boundText(test.output, OUTPUT_TAIL_CHARS).text;
  const command = boundText(test.command, 2_000).text;
  const row = await db.testResult.create({
    data: {
      projectId,
      runId,
      command,
      exitCode: test.exitCode,
      passed: test.passed,
      durationMs: Math.round(test.durationMs),
      outputTail,
      ...(link ? { kind: link.kind, featureId: link.feature.id, sha: link.sha } : {}),
    },
    select: { id: true },
  });
  events.emit({
    type: 'TEST',
    payload: {
      command,
      exitCode: test.exitCode,
      passed: test.passed,
      durationMs: Math.round(test.durationMs),
      outputTail,
      ...(link ? { kind: link.kind, featureIndex: link.feature.index } : {}),
    },
  });
  return row.id;
}
