import { EventEmitter } from 'eventemitter3';
import type { KbotEvent, KbotEventOf, KbotEventType } from '../model/events.js';

export type EventHandler<E> = (event: E) => void;
export type Unsubscribe = () => void;

/** The number of listeners of one event type, kept up to date by the bus as they come and go. */
export interface ListenerCounter {
  readonly count: number;
}

/**
 * The public, typed event bus. Handlers run synchronously in subscription order, so every
 * subscriber sees the same sequence of facts. A throwing handler is reported, not swallowed:
 * it stops the publish (a broken invariant must not be hidden).
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private anyCount = 0;
  private readonly counts = new Map<string, { count: number }>();

  on<T extends KbotEventType>(type: T, handler: EventHandler<KbotEventOf<T>>): Unsubscribe {
    this.emitter.on(type, handler as EventHandler<unknown>);
    const counter = this.counter(type);
    counter.count += 1;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.emitter.off(type, handler as EventHandler<unknown>);
      counter.count -= 1;
    };
  }

  /** Every event, whatever its type (journals, recorders, UIs). */
  onAny(handler: EventHandler<KbotEvent>): Unsubscribe {
    this.emitter.on('*', handler);
    this.anyCount++;
    return () => {
      this.emitter.off('*', handler);
      this.anyCount--;
    };
  }

  publish(event: KbotEvent): void {
    this.emitter.emit(event.type, event);
    if (this.anyCount > 0) this.emitter.emit('*', event);
  }

  /** Listeners of one type (not counting onAny). */
  listenerCount(type: KbotEventType): number {
    return this.counts.get(type)?.count ?? 0;
  }

  /**
   * The live listener count of one type (not counting onAny): the same object for the life of the
   * bus, updated as listeners subscribe and unsubscribe. The engine keeps the counters of the
   * market-data events and reads a field per tick, instead of looking the type up every time.
   */
  listenerCounter(type: KbotEventType): ListenerCounter {
    return this.counter(type);
  }

  private counter(type: string): { count: number } {
    let counter = this.counts.get(type);
    if (counter === undefined) {
      counter = { count: 0 };
      this.counts.set(type, counter);
    }
    return counter;
  }
}

/**
 * A typed single-topic channel for the hot path (bars, trades, quotes): a plain array of
 * listeners called in a for-loop, which measures faster than an emitter lookup per event.
 */
export class Channel<T> {
  private listeners: EventHandler<T>[] = [];

  subscribe(listener: EventHandler<T>): Unsubscribe {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((existing) => existing !== listener);
    };
  }

  publish(value: T): void {
    const listeners = this.listeners;
    for (let index = 0; index < listeners.length; index++) listeners[index]!(value);
  }

  get size(): number {
    return this.listeners.length;
  }
}
