import { describe, expect, it } from 'vitest';
import type { KbotEvent } from '../model/events.js';
import { Channel, EventBus } from './event-bus.js';

const started = (sequence: number): KbotEvent => Object.freeze({ type: 'engine-started', time: 1, sequence, mode: 'backtest' });
const stopped: KbotEvent = Object.freeze({ type: 'engine-stopped', time: 2, sequence: 2, reason: 'done' });

describe('EventBus', () => {
  it('delivers events of a type, in order, to typed handlers', () => {
    const bus = new EventBus();
    const seen: number[] = [];
    bus.on('engine-started', (event) => seen.push(event.sequence));
    bus.publish(started(1));
    bus.publish(stopped);
    bus.publish(started(3));
    expect(seen).toEqual([1, 3]);
  });

  it('onAny sees every event; unsubscribing stops delivery', () => {
    const bus = new EventBus();
    const types: string[] = [];
    const off = bus.onAny((event) => types.push(event.type));
    bus.publish(started(1));
    bus.publish(stopped);
    off();
    bus.publish(started(3));
    expect(types).toEqual(['engine-started', 'engine-stopped']);
  });

  it('a throwing handler is not swallowed', () => {
    const bus = new EventBus();
    bus.on('engine-stopped', () => {
      throw new Error('broken handler');
    });
    expect(() => bus.publish(stopped)).toThrow('broken handler');
  });

  it('counts listeners per type', () => {
    const bus = new EventBus();
    expect(bus.listenerCount('bar-closed')).toBe(0);
    const off = bus.on('bar-closed', () => {});
    expect(bus.listenerCount('bar-closed')).toBe(1);
    off();
    expect(bus.listenerCount('bar-closed')).toBe(0);
  });

  it('keeps a live listener counter per type, the same object whenever asked, subscribed before or after', () => {
    const bus = new EventBus();
    const counter = bus.listenerCounter('bar-closed');
    expect(counter.count).toBe(0);
    const offA = bus.on('bar-closed', () => {});
    const offB = bus.on('bar-closed', () => {});
    bus.on('trade-received', () => {});
    expect(counter.count).toBe(2);
    expect(bus.listenerCounter('bar-closed')).toBe(counter);
    offA();
    offA();
    expect(counter.count).toBe(1);
    expect(bus.listenerCount('bar-closed')).toBe(1);
    offB();
    expect(counter.count).toBe(0);
    expect(bus.listenerCounter('trade-received').count).toBe(1);
  });
});

describe('Channel', () => {
  it('calls listeners in subscription order; a listener removed during publish still sees that publish', () => {
    const channel = new Channel<number>();
    const seen: string[] = [];
    let offB: () => void = () => {};
    channel.subscribe((value) => {
      seen.push(`a${value}`);
      offB();
    });
    offB = channel.subscribe((value) => seen.push(`b${value}`));
    channel.publish(1);
    channel.publish(2);
    expect(seen).toEqual(['a1', 'b1', 'a2']);
    expect(channel.size).toBe(1);
  });
});
