// Live events from Redis for this process: graphql-redis-subscriptions' RedisPubSub keeps one Redis subscription per
// channel. The hub adds one RedisPubSub listener per channel however many local listeners (API subscriptions) follow
// it, and broadcasts each published batch to them: validated once, handed over with one SharedBatchWork, so that the
// subscribers of a run share their per-batch work (shared-batch-work.ts).
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import { eventsOfMessage } from './publish.js';
import type { RunEvent } from './types.js';
import { SharedBatchWork } from './shared-batch-work.js';
import { logger } from '../logger.js';

/** Receives the events of one published batch (one run, ascending seq) and the work shared with its other listeners. */
export type EventListener = (events: RunEvent[], shared: SharedBatchWork) => void;

interface Channel {
  listeners: Set<EventListener>;
  /** Resolves with RedisPubSub's subscription id once Redis confirmed the subscription. */
  subscribed: Promise<number>;
}

export class EventHub {
  private readonly pubsub: RedisPubSub;
  private readonly channels = new Map<string, Channel>();

  /** `subscriber` is a dedicated connection: once it SUBSCRIBEs it can issue no other commands. */
  constructor(private readonly subscriber: Redis) {
    // Events are published by publishEvents (one pipelined message to the run and the project channel), never through
    // RedisPubSub.publish; the library takes a publisher only so that it does not open connections of its own.
    this.pubsub = new RedisPubSub({ subscriber, publisher: subscriber });
  }

  /** Resolves once Redis confirmed the subscription, so nothing published afterwards is missed. Returns the unsubscribe. */
  async subscribe(channel: string, listener: EventListener): Promise<() => void> {
    let entry = this.channels.get(channel);
    if (!entry) {
      const listeners = new Set<EventListener>();
      entry = { listeners, subscribed: this.pubsub.subscribe(channel, (message: unknown) => broadcast(channel, listeners, message)) };
      this.channels.set(channel, entry);
    }
    const joined = entry;
    joined.listeners.add(listener);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      joined.listeners.delete(listener);
      if (joined.listeners.size || this.channels.get(channel) !== joined) return;
      this.channels.delete(channel);
      joined.subscribed.then((id) => this.pubsub.unsubscribe(id), () => {});
    };
    try {
      await joined.subscribed;
    } catch (error) {
      leave();
      throw error;
    }
    return leave;
  }

  /** Number of channels this process is subscribed to (for tests and metrics). */
  get channelCount(): number {
    return this.channels.size;
  }

  async close(): Promise<void> {
    this.channels.clear();
    this.subscriber.disconnect();
  }
}

function broadcast(channel: string, listeners: Set<EventListener>, message: unknown): void {
  const events = eventsOfMessage(message);
  if (!events.length) return;
  const shared = new SharedBatchWork();
  for (const listener of listeners) {
    try {
      listener(events, shared);
    } catch (error) {
      logger.error({ err: error, channel }, 'event listener failed');
    }
  }
}
