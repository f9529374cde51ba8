// Enforces the feature_list.json contract around every tool call. The Feature rows are the truth: after the
// initializer session, the only accepted change is `passes` false → true; anything else is undone on disk (restored),
// explained to the agent in its tool result and reported as an ERROR event. A flip is a claim: it stays in the file
// (pending) until verification.ts accepts it (the rows flip) or rejects it (the file is reset to the rows).
import { readWorkspaceFile, writeWorkspaceFile } from '../../src/files/safe-open.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import type { EventSink } from '../../src/events/types.js';
import { boundText } from '../../src/events/types.js';
import { FEATURE_LIST_FILE, FeatureListError, featureContentHash, MAX_FEATURE_LIST_BYTES, parseFeatureList, type FeatureEntry } from '../../src/features/feature-list.js';
import { syncFeatureRows } from '../../src/features/sync.js';

export interface GuardVerdict {
  /** Text appended to the tool result so the agent learns what the platform did. */
  note?: string;
  newlyPassing: number[];
  rejected: boolean;
}

const NOTHING: GuardVerdict = { newlyPassing: [], rejected: false };

export class FeatureGuard {
  private accepted: FeatureEntry[] | null = null;
  /**
   * The file's text as last read or written by the guard (undefined: not read yet). It is the "before" of the next
   * tool call, so each call costs one read instead of two; a change made between calls (a background process) then
   * shows up at the next check instead of going unnoticed.
   */
  private known: string | null | undefined;

  constructor(
    private readonly root: string,
    private readonly db: PrismaClient,
    private readonly projectId: string,
    private readonly events: EventSink,
  ) {
  }

  /** The accepted list (null until an initializer produced a valid one). */
  get features(): readonly FeatureEntry[] | null {
    return this.accepted;
  }

  get allPassing(): boolean {
    return !!this.accepted && this.accepted.length > 0 && this.accepted.every((f) => f.passes);
  }

  /** Reads the file now. Synchronous on purpose: for a small file, fs.promises.readFile's thread-pool round trips cost the event loop more than the read. */
  readText(): string | null {
    try {
      // Never through a symlink, and bounded: the file is the agent's to write.
      const bytes = readWorkspaceFile(this.root, FEATURE_LIST_FILE, MAX_FEATURE_LIST_BYTES);
      this.known = typeof bytes === 'string' ? null : bytes.toString('utf8');
    } catch {
      this.known = null;
    }
    return this.known;
  }

  /** The text before the next tool call: what the guard last saw (read once if it has not looked yet). */
  lastKnownText(): string | null {
    return this.known === undefined ? this.readText() : this.known;
  }

  /**
   * Loads the truth from the rows and brings the file in line at session start (e.g. after a crash between a
   * write and its sync). Without rows, a valid file on disk is adopted.
   */
  async reconcile(): Promise<void> {
    const rows = await this.db.feature.findMany({ where: { projectId: this.projectId }, orderBy: { index: 'asc' } });
    const text = this.readText();
    if (rows.length === 0) {
      this.accepted = null;
      if (text === null) return;
      try {
        const entries = parseFeatureList(text);
        await this.sync(entries);
      } catch (error) {
        if (!(error instanceof FeatureListError)) throw error;
      }
      return;
    }
    this.accepted = rows.map((r) => ({ category: r.category, description: r.description, steps: r.steps, passes: r.passes }));
    if (text === null) {
      this.restore(null);
      this.reportRejection(`${FEATURE_LIST_FILE} was missing at session start; it was rewritten from the platform's records.`);
      return;
    }
    const problems = this.violations(text);
    if (typeof problems === 'string') {
      this.restore(null);
      this.reportRejection(`${FEATURE_LIST_FILE} had disallowed changes at session start (${problems}); it was rewritten from the platform's records.`);
    }
    // Valid flips made before an interruption stay pending claims: they are verified when the next session ends.
  }

  /** Indices the file claims as passing that the rows do not (yet): the claims to verify. */
  pendingClaims(): number[] {
    if (!this.accepted) return [];
    const verdict = this.violations(this.readText());
    if (verdict === null || typeof verdict === 'string') return [];
    return verdict.flatMap((entry, i) => (entry.passes && !this.accepted![i].passes ? [i] : []));
  }

  /**
   * Applies verification: accepted claims flip their rows; when any claim was rejected the file is reset to the rows'
   * truth (so rejected flips are undone on disk). Returns the rows' new state.
   */
  async settleClaims(accepted: number[], rejected: number[], stillPending: number[] = []): Promise<void> {
    const entries = this.accepted!.map((entry, i) => (accepted.includes(i) ? { ...entry, passes: true } : entry));
    if (accepted.length) await syncFeatureRows(this.db, this.projectId, entries, { passes: 'from-list' });
    this.accepted = entries;
    if (!rejected.length && this.violations(this.readText()) === null) return;
    if (!stillPending.length) return this.restore(null);
    // Claims not decided yet (verification was parked) stay in the file as claims; everything else is the rows' truth.
    const claimed = entries.map((entry, i) => (stillPending.includes(i) ? { ...entry, passes: true } : entry));
    const text = `${JSON.stringify(claimed, null, 2)}\n`;
    writeWorkspaceFile(this.root, FEATURE_LIST_FILE, text);
    this.known = text;
  }

  /** Sets features back to failing (regressions found by verification); only the platform may do this. */
  async markFailing(indices: number[]): Promise<void> {
    if (!indices.length || !this.accepted) return;
    const entries = this.accepted.map((entry, i) => (indices.includes(i) ? { ...entry, passes: false } : entry));
    await syncFeatureRows(this.db, this.projectId, entries, { passes: 'from-list' });
    this.accepted = entries;
    this.restore(null);
  }

  /** Call after every tool call with the text read before it. Lenient mode (the initializer session) accepts any valid list. */
  async afterTool(before: string | null, lenient: boolean): Promise<GuardVerdict> {
    const now = this.readText();
    if (now === before) return NOTHING;
    if (lenient) return this.afterLenient(now);
    if (this.accepted === null) {
      // No contract yet (a coding agent created the list): adopt it if valid.
      return this.afterLenient(now);
    }
    const verdict = this.violations(now);
    if (verdict === null) return NOTHING; // e.g. only whitespace or formatting changed
    if (typeof verdict === 'string') {
      this.restore(before);
      const message = `Your change to ${FEATURE_LIST_FILE} was rejected and the file was restored: ${verdict}. Only change an entry's "passes" from false to true, after verifying that feature; never remove, edit, reorder or add entries.`;
      this.reportRejection(message);
      return { note: message, newlyPassing: [], rejected: true };
    }
    const claims = verdict.flatMap((entry, i) => (entry.passes && !this.accepted![i].passes ? [i] : []));
    const note = claims.length
      ? `The platform noted your claim that feature${claims.length > 1 ? 's' : ''} ${claims.map((i) => `#${i}`).join(', ')} pass${claims.length > 1 ? '' : 'es'}. ` +
        'When this session ends it verifies the claim on the committed code (the verification command of shipyard.json, and an independent reviewer); commit your work before you finish.'
      : undefined;
    return { note, newlyPassing: [], rejected: false };
  }

  private async afterLenient(now: string | null): Promise<GuardVerdict> {
    if (now === null) return { note: `${FEATURE_LIST_FILE} no longer exists; write it before ending the session.`, newlyPassing: [], rejected: false };
    let entries: FeatureEntry[];
    try {
      entries = parseFeatureList(now);
    } catch (error) {
      if (!(error instanceof FeatureListError)) throw error;
      return { note: `${FEATURE_LIST_FILE} is not valid yet: ${error.message}`, newlyPassing: [], rejected: false };
    }
    const newly = await this.sync(entries);
    return { note: `The platform recorded ${entries.length} features from ${FEATURE_LIST_FILE}.`, newlyPassing: newly, rejected: false };
  }

  /** null: no effective change; a string: why the change is refused; entries: an acceptable list with flips. */
  private violations(text: string | null): string | FeatureEntry[] | null {
    const accepted = this.accepted!;
    if (text === null) return 'the file was deleted';
    let entries: FeatureEntry[];
    try {
      entries = parseFeatureList(text);
    } catch (error) {
      if (!(error instanceof FeatureListError)) throw error;
      return error.message;
    }
    const problems: string[] = [];
    if (entries.length < accepted.length) problems.push(`${accepted.length - entries.length} entr${accepted.length - entries.length === 1 ? 'y was' : 'ies were'} removed`);
    if (entries.length > accepted.length) problems.push(`${entries.length - accepted.length} entr${entries.length - accepted.length === 1 ? 'y was' : 'ies were'} added`);
    const acceptedHashes = accepted.map(featureContentHash);
    let flips = 0;
    for (let i = 0; i < Math.min(entries.length, accepted.length); i++) {
      const hash = featureContentHash(entries[i]);
      if (hash !== acceptedHashes[i]) {
        const elsewhere = acceptedHashes.indexOf(hash);
        problems.push(elsewhere >= 0 ? `entry #${i} was moved (it was #${elsewhere})` : `entry #${i} ("${accepted[i].description.slice(0, 60)}") was edited`);
      } else if (accepted[i].passes && !entries[i].passes) problems.push(`entry #${i} was set back to "passes": false`);
      else if (!accepted[i].passes && entries[i].passes) flips++;
      if (problems.length >= 5) break;
    }
    if (problems.length) return problems.join('; ');
    return flips ? entries : null;
  }

  /**
   * Adopts a list as the contract (the initializer's, or the first valid one). Every feature starts failing whatever
   * the file says: a "passes": true in it is a claim like any other, verified when a coding session ends.
   */
  private async sync(listed: FeatureEntry[]): Promise<number[]> {
    const entries = listed.map((entry) => ({ ...entry, passes: false }));
    const result = await syncFeatureRows(this.db, this.projectId, entries, { passes: 'from-list' });
    this.accepted = entries;
    for (const index of [...new Set([...result.added, ...result.changed.map((c) => c.index)])].sort((a, b) => a - b)) {
      const entry = entries[index];
      this.events.emit({ type: 'FEATURE', payload: { index, description: boundText(entry.description).text, passes: entry.passes } });
    }
    return result.newlyPassing;
  }

  private restore(before: string | null) {
    let text = before;
    // A before-text with pending claims (valid flips) is kept; one with violations is replaced by the rows' truth.
    if (text !== null && typeof this.violations(text) === 'string') text = null;
    const restored = text ?? `${JSON.stringify(this.accepted, null, 2)}\n`;
    writeWorkspaceFile(this.root, FEATURE_LIST_FILE, restored);
    this.known = restored;
  }

  private reportRejection(message: string) {
    this.events.emit({ type: 'ERROR', payload: { message: boundText(message).text, code: 'FEATURE_LIST_REJECTED' } });
  }
}
