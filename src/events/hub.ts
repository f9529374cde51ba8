// Live events from Redis for this process: graphql-redis-subscriptions' RedisPubSub keeps one Redis subscription per
// channel however many local listeners (API subscriptions) follow it.
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import { eventsOfMessage } from './publish.js';
import type { RunEvent } from './types.js';
import { logger } from '../logger.js';

/** Receives the events of one published batch (one run, ascending seq). */
export type EventListener = (events: RunEvent[]) => void;

export class EventHub {
  private readonly pubsub: RedisPubSub;
  private readonly channels = new Map<string, number>();
  /** RedisPubSub hands one parsed message to every listener of a channel in turn: validate it once, not per listener. */
  private lastMessage: unknown;
  private lastEvents: RunEvent[] = [];

  /** `subscriber` is a dedicated connection: once it SUBSCRIBEs it can issue no other commands. */
  constructor(private readonly subscriber: Redis) {
    // Events are published by publishEvents (one pipelined message to the run and the project channel), never through
    // RedisPubSub.publish; the library takes a publisher only so that it does not open connections of its own.
    this.pubsub = new RedisPubSub({ subscriber, publisher: subscriber });
  }

  /** Resolves once Redis confirmed the subscription, so nothing published afterwards is missed. Returns the unsubscribe. */
  async subscribe(channel: string, listener: EventListener): Promise<() => void> {
    const id = await this.pubsub.subscribe(channel, (message: unknown) => {
      const events = this.eventsOf(message);
      if (!events.length) return;
      try {
        listener(events);
      } catch (error) {
        logger.error({ err: error, channel }, 'event listener failed');
      }
    });
    this.channels.set(channel, (this.channels.get(channel) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.pubsub.unsubscribe(id);
      const remaining = (this.channels.get(channel) ?? 1) - 1;
      if (remaining > 0) this.channels.set(channel, remaining);
      else this.channels.delete(channel);
    };
  }

  private eventsOf(message: unknown): RunEvent[] {
    if (message !== this.lastMessage) {
      this.lastMessage = message;
      this.lastEvents = eventsOfMessage(message);
    }
    return this.lastEvents;
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
