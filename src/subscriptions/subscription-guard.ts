// Open subscriptions of this API process: a cap per user, the live count (a metric), and ending every stream opened
// with a token once that token is revoked (wherever it was revoked: revocations arrive through Redis, see
// auth/revocation.ts).
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../request-context.js';

export interface SubscriptionGuardOptions {
  maxPerUser: number;
  /** Told the number of open subscriptions whenever it changes. */
  onCount?: (open: number) => void;
}

interface Tracked {
  end(): void;
}

/**
 * How long a revoked token is remembered here: a stream whose token was checked just before its revocation arrived
 * (between authentication and registering the stream) is ended as it registers instead of living on.
 */
const REMEMBER_REVOKED_MS = 60_000;

export class SubscriptionGuard {
  private readonly perUser = new Map<string, number>();
  private readonly perToken = new Map<string, Set<Tracked>>();
  /** Recently revoked token ids and when they are forgotten (in insertion order, so expired ones come first). */
  private readonly revoked = new Map<string, number>();
  private open = 0;

  constructor(private readonly opts: SubscriptionGuardOptions) {}

  get openCount(): number {
    return this.open;
  }

  /** Ends (with an UNAUTHENTICATED error) every open subscription made with one of these tokens. */
  revoke(tokenIds: Iterable<string>): number {
    const now = Date.now();
    for (const [tokenId, until] of this.revoked) {
      if (until > now) break;
      this.revoked.delete(tokenId);
    }
    let ended = 0;
    for (const tokenId of tokenIds) {
      this.revoked.delete(tokenId);
      this.revoked.set(tokenId, now + REMEMBER_REVOKED_MS);
      for (const tracked of this.perToken.get(tokenId) ?? []) {
        tracked.end();
        ended++;
      }
    }
    return ended;
  }

  /**
   * For streams outside GraphQL (REST SSE): takes one of the user's slots, or returns null when they have none left.
   * `end` is called if the token is revoked; the caller releases the slot when the stream ends.
   */
  hold(userId: string, tokenId: string | null, end: () => void): (() => void) | null {
    if ((this.perUser.get(userId) ?? 0) >= this.opts.maxPerUser) return null;
    const releaseSlot = this.reserve(userId);
    const tracked: Tracked = { end };
    if (tokenId) this.addTracked(tokenId, tracked);
    return () => {
      releaseSlot();
      if (tokenId) this.removeTracked(tokenId, tracked);
    };
  }

  get maxPerUser(): number {
    return this.opts.maxPerUser;
  }

  private addTracked(tokenId: string, tracked: Tracked) {
    let set = this.perToken.get(tokenId);
    if (!set) this.perToken.set(tokenId, (set = new Set()));
    set.add(tracked);
    // Revoked while this stream was being opened: end it as soon as its opener has finished setting it up.
    if ((this.revoked.get(tokenId) ?? 0) > Date.now()) queueMicrotask(() => tracked.end());
  }

  private removeTracked(tokenId: string, tracked: Tracked) {
    const set = this.perToken.get(tokenId);
    set?.delete(tracked);
    if (set && !set.size) this.perToken.delete(tokenId);
  }

  plugin(): Plugin<Context> {
    return {
      onSubscribe: ({ args, setResultAndStopExecution }) => {
        const ctx = args.contextValue;
        const userId = ctx.user?.id;
        if (!userId) return; // the fields' auth scopes answer UNAUTHENTICATED
        const count = this.perUser.get(userId) ?? 0;
        if (count >= this.opts.maxPerUser) {
          setResultAndStopExecution({
            errors: [
              new GraphQLError(`Too many open subscriptions: at most ${this.opts.maxPerUser} per user at a time. Close some before opening more.`, {
                extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: this.opts.maxPerUser },
              }),
            ],
          });
          return;
        }
        const release = this.reserve(userId);
        return {
          onSubscribeResult: ({ result, setResult }) => {
            if (!isAsyncIterable(result)) return release();
            setResult(this.track(result, release, ctx.tokenId));
          },
          onSubscribeError: () => release(),
        };
      },
    };
  }

  private reserve(userId: string): () => void {
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
    this.changed(+1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
      this.changed(-1);
    };
  }

  private changed(delta: number) {
    this.open += delta;
    this.opts.onCount?.(this.open);
  }

  /** Passes the stream through, releasing its slot when it ends and ending it when its token is revoked. */
  private track(source: AsyncIterable<ExecutionResult>, release: () => void, tokenId: string | null): AsyncIterableIterator<ExecutionResult> {
    const iterator = source[Symbol.asyncIterator]();
    let revoked: ((step: IteratorResult<ExecutionResult>) => void) | undefined;
    let endedByRevocation = false;
    let done = false;
    const tracked: Tracked = {
      end: () => {
        if (done) return;
        endedByRevocation = true;
        revoked?.({ done: false, value: { errors: [revokedError()] } });
        void iterator.return?.();
      },
    };
    const finish = () => {
      if (done) return;
      done = true;
      release();
      if (tokenId) this.removeTracked(tokenId, tracked);
    };
    if (tokenId) this.addTracked(tokenId, tracked);
    let reportedRevocation = false;
    const wrapped: AsyncIterableIterator<ExecutionResult> = {
      next: () => {
        if (endedByRevocation) {
          finish();
          if (reportedRevocation) return Promise.resolve({ done: true, value: undefined });
          reportedRevocation = true;
          return Promise.resolve({ done: false, value: { errors: [revokedError()] } });
        }
        const step = new Promise<IteratorResult<ExecutionResult>>((resolve, reject) => {
          revoked = (value) => {
            reportedRevocation = true;
            resolve(value);
          };
          iterator.next().then((value) => {
            if (value.done) finish();
            resolve(value);
          }, (error: unknown) => {
            finish();
            reject(error);
          });
        });
        return step;
      },
      async return() {
        finish();
        await iterator.return?.();
        return { done: true, value: undefined };
      },
      async throw(error?: unknown) {
        finish();
        if (iterator.throw) return iterator.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]() {
        return wrapped;
      },
    };
    return wrapped;
  }
}

const revokedError = () =>
  new GraphQLError('This session or token was revoked: sign in again and resubscribe.', { extensions: { code: 'UNAUTHENTICATED' } });

const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> =>
  value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
