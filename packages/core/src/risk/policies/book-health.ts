import type { JournaledEvent } from '../../model/events.js';
import type { BookHealth } from '../../model/market-data.js';
import { MINUTE_MS, type EpochMs } from '../../model/time.js';
import { objectAt, timeListsAt } from '../../persistence/state-json.js';
import { isBreakerAction, requestState, type BreakerAction, type StateRequest } from '../breakers.js';
import { reducesExposure } from '../risk-engine.js';
import { allow, deny, type RiskPolicy } from '../risk-policy.js';
import { ConfigError } from '../../errors/errors.js';
import { integerAtLeast, positiveNumber } from './policy-options.js';

export interface BookHealthOptions {
  /**
   * Orders that add exposure on an instrument are denied while its book is being resynchronised
   * (after a `resync` report, until the next `synced`): a strategy would be acting on a book the
   * client could not verify. Orders that only reduce exposure still go. Default true.
   */
  readonly holdWhileResyncing?: boolean;
  /** Trips the breaker when one instrument's book is resynchronised this many times within `windowMs`. */
  readonly maxResyncs?: number;
  /** The window `maxResyncs` counts in, on the engine clock; default ten minutes. */
  readonly windowMs?: number;
  /** Where the breaker moves trading; default `reducing`. */
  readonly action?: BreakerAction;
}

const DEFAULT_WINDOW_MS = 10 * MINUTE_MS;

/** What the policy keeps over a restart: each instrument's resync times in the window. */
interface BookHealthState {
  readonly resyncs: Readonly<Record<string, readonly EpochMs[]>>;
}

/**
 * Acts on the venue's book-health reports (BookHealth: a checksum mismatch or an unreadable level
 * drops a book until a fresh snapshot verifies). Code `book-health`.
 *
 * - While an instrument's book is being resynchronised, orders that add exposure on it are denied
 *   (`holdWhileResyncing`, on by default); the `synced` report lifts it.
 * - With `maxResyncs`, a breaker: when one instrument's book is resynchronised that many times
 *   within `windowMs`, trading moves to `action` (`reducing` by default), a sign that the feed
 *   or the connection cannot be trusted. It releases itself at the first order check, journaled
 *   event or book report after every instrument's window holds fewer resyncs again. An operator
 *   resume releases it too, and the resyncs before it no longer count.
 *
 * Resync times are kept over a restart, so a restart does not reset the count. A book being
 * resynchronised is not: the restarted session subscribes afresh.
 */
export function bookHealth(options: BookHealthOptions = {}): RiskPolicy {
  const holdWhileResyncing = options.holdWhileResyncing ?? true;
  if (typeof holdWhileResyncing !== 'boolean') {
    throw new ConfigError([{ path: 'risk.bookHealth.holdWhileResyncing', received: String(holdWhileResyncing), expected: 'true or false' }]);
  }
  const maxResyncs = options.maxResyncs === undefined ? undefined : integerAtLeast(options.maxResyncs, 'risk.bookHealth.maxResyncs', 1);
  const windowMs = positiveNumber(options.windowMs ?? DEFAULT_WINDOW_MS, 'risk.bookHealth.windowMs');
  const action = options.action ?? 'reducing';
  if (!isBreakerAction(action)) throw new ConfigError([{ path: 'risk.bookHealth.action', received: String(action), expected: '"reducing" or "halted"' }]);

  /**
   * Books being resynchronised, by instrument, then by book (`l2`, `l3`): a bot may keep both of
   * one instrument, and the price levels verifying again says nothing of the orders' book.
   */
  const resyncing = new Map<string, Map<'l2' | 'l3', BookHealth>>();
  /** Resync times per instrument (engine clock), oldest first. */
  const resyncTimes = new Map<string, EpochMs[]>();
  let tripped = false;

  /** Drops the times that left the window; returns the largest count left and its instrument. */
  const worstWindow = (time: EpochMs): { count: number; instrumentId: string } => {
    let worst = { count: 0, instrumentId: '' };
    for (const [instrumentId, times] of resyncTimes) {
      let first = 0;
      while (first < times.length && times[first]! <= time - windowMs) first++;
      if (first > 0) times.splice(0, first);
      if (times.length === 0) resyncTimes.delete(instrumentId);
      else if (times.length > worst.count) worst = { count: times.length, instrumentId };
    }
    return worst;
  };

  /** Trips or releases the breaker for the window ending at `time`; undefined when nothing changes. */
  const breaker = (time: EpochMs): StateRequest | undefined => {
    if (maxResyncs === undefined) return undefined;
    const worst = worstWindow(time);
    if (worst.count >= maxResyncs) {
      tripped = true;
      return requestState(action, `the ${worst.instrumentId} book was resynchronised ${worst.count} times in ${formatWindow(windowMs)}, the limit is ${maxResyncs}`);
    }
    if (!tripped) return undefined;
    tripped = false;
    return requestState('active', `book resyncs back under ${maxResyncs} in ${formatWindow(windowMs)}`);
  };

  return {
    name: 'book-health',
    snapshot(): BookHealthState {
      return { resyncs: Object.fromEntries(resyncTimes) };
    },
    restore(value: unknown, where: string) {
      const restored = timeListsAt(objectAt(value, where)['resyncs'], `${where}.resyncs`);
      resyncTimes.clear();
      for (const [instrumentId, times] of restored) resyncTimes.set(instrumentId, times);
      // The risk engine's snapshot keeps whether the breaker had tripped; its first check decides again.
      tripped = maxResyncs !== undefined && [...restored.values()].some((times) => times.length >= maxResyncs);
    },
    check(order, view) {
      const request = breaker(view.time);
      if (holdWhileResyncing) {
        const report = resyncing.get(order.instrumentId)?.values().next().value;
        if (report !== undefined && !reducesExposure(order, view)) {
          const why = report.reason === undefined ? '' : ` (${report.reason})`;
          const book = report.book === 'l3' ? `${order.instrumentId} level3` : order.instrumentId;
          return deny('book-health', `the ${book} book is being resynchronised${why}: orders that add exposure wait for a verified snapshot`, request);
        }
      }
      return allow(request);
    },
    observe(event: JournaledEvent) {
      if (event.type === 'trading-state-changed' && event.to === 'active' && tripped) {
        // Trading is active again while the breaker holds it: an operator resumed. The resyncs so
        // far are forgiven; new ones count from here.
        tripped = false;
        resyncTimes.clear();
        return undefined;
      }
      return breaker(event.time);
    },
    observeBookHealth(health: BookHealth, time: EpochMs) {
      if (health.status === 'resync') {
        const books = resyncing.get(health.instrumentId) ?? new Map<'l2' | 'l3', BookHealth>();
        books.set(health.book ?? 'l2', health);
        resyncing.set(health.instrumentId, books);
        if (maxResyncs !== undefined) {
          const times = resyncTimes.get(health.instrumentId);
          if (times) times.push(time);
          else resyncTimes.set(health.instrumentId, [time]);
        }
      } else {
        const books = resyncing.get(health.instrumentId);
        books?.delete(health.book ?? 'l2');
        if (books?.size === 0) resyncing.delete(health.instrumentId);
      }
      return breaker(time);
    },
  };
}

function formatWindow(windowMs: number): string {
  return windowMs % MINUTE_MS === 0 ? `${windowMs / MINUTE_MS} min` : `${windowMs / 1000} s`;
}
