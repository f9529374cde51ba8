// One Redis subscription per channel per process, fanned out to every local listener (API subscriptions).
import type { Redis } from 'ioredis';
import { parseEventMessage } from './publish.js';
import type { RunEvent } from './types.js';
import { logger } from '../logger.js';

/** Receives the events of one published batch (one run, ascending seq). */
export type EventListener = (events: RunEvent[]) => void;

export class EventHub {
  private readonly channels = new Map<string, { listeners: Set<EventListener>; ready: Promise<unknown> }>();

  /** `subscriber` is a dedicated connection: once it SUBSCRIBEs it can issue no other commands. */
  constructor(private readonly subscriber: Redis) {
    subscriber.on('message', (channel: string, message: string) => {
      const entry = this.channels.get(channel);
      if (!entry) return;
      const events = parseEventMessage(message);
      if (!events.length) return;
      for (const listener of entry.listeners) {
        try {
          listener(events);
        } catch (error) {
          logger.error({ err: error, channel }, 'event listener failed');
        }
      }
    });
  }

  /** Resolves once Redis confirmed the subscription, so nothing published afterwards is missed. Returns the unsubscribe. */
  async subscribe(channel: string, listener: EventListener): Promise<() => void> {
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = { listeners: new Set(), ready: this.subscriber.subscribe(channel) };
      this.channels.set(channel, entry);
    }
    entry.listeners.add(listener);
    const current = entry;
    try {
      await current.ready;
    } catch (error) {
      this.leave(channel, current, listener);
      throw error;
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.leave(channel, current, listener);
    };
  }

  /** Number of channels this process is subscribed to (for tests and metrics). */
  get channelCount(): number {
    return this.channels.size;
  }

  private leave(channel: string, entry: { listeners: Set<EventListener> }, listener: EventListener) {
    entry.listeners.delete(listener);
    if (entry.listeners.size === 0 && this.channels.get(channel) === entry) {
      this.channels.delete(channel);
      this.subscriber.unsubscribe(channel).catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.channels.clear();
    this.subscriber.disconnect();
  }
}
