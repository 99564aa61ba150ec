import { InvariantError } from '../errors/errors.js';
import type { MarketDataClient, MarketDataSink } from '../exchange/exchange.js';
import type { InstrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { deliverMarketData, type MarketDataItem } from './market-data-item.js';

function sameSubscription(a: Subscription, b: Subscription): boolean {
  return a.instrumentId === b.instrumentId && a.kind === b.kind && a.interval === b.interval && a.depth === b.depth;
}

export interface FakeMarketDataClientOptions {
  /**
   * The venue's history, served by `recentBars` (the latest `count` closed bars of the series
   * asked for), or a function answering each call (to fail, or to break the contract). Without
   * it the client has no `recentBars`, like a venue that keeps no history.
   */
  readonly history?: readonly Bar[] | ((instrumentId: InstrumentId, interval: number, count: number) => Promise<readonly Bar[]>);
}

/**
 * A market-data client the test feeds by hand: it records what was subscribed and passes
 * whatever the test `push`es to the sink, synchronously and in order. It does not filter by
 * subscription, so a test can check `subscriptions` separately from what it delivers.
 */
export class FakeMarketDataClient implements MarketDataClient {
  /** Every `subscribe` call's list, in order. */
  readonly subscribeCalls: (readonly Subscription[])[] = [];
  /** Every `unsubscribe` call's list, in order. */
  readonly unsubscribeCalls: (readonly Subscription[])[] = [];
  private active: Subscription[] = [];
  private sinkValue: MarketDataSink | undefined;
  private closedValue = false;
  private pushedCount = 0;
  /** Every `recentBars` call, in order. */
  readonly recentBarsCalls: { readonly instrumentId: InstrumentId; readonly interval: number; readonly count: number }[] = [];
  readonly recentBars?: (instrumentId: InstrumentId, interval: number, count: number) => Promise<readonly Bar[]>;

  constructor(options: FakeMarketDataClientOptions = {}) {
    const history = options.history;
    if (history === undefined) return;
    this.recentBars = async (instrumentId, interval, count) => {
      this.recentBarsCalls.push({ instrumentId, interval, count });
      if (typeof history === 'function') return history(instrumentId, interval, count);
      const series = history.filter((bar) => bar.instrumentId === instrumentId && bar.interval === interval).sort((a, b) => a.openTime - b.openTime);
      return series.slice(Math.max(0, series.length - count));
    };
  }

  /** What is subscribed now. */
  get subscriptions(): readonly Subscription[] {
    return this.active;
  }

  get closed(): boolean {
    return this.closedValue;
  }

  /** How many items `push` has delivered. */
  get delivered(): number {
    return this.pushedCount;
  }

  async subscribe(subscriptions: readonly Subscription[], sink: MarketDataSink): Promise<void> {
    if (this.closedValue) throw new InvariantError('fake market data client: subscribe after close()');
    this.subscribeCalls.push(subscriptions);
    this.sinkValue = sink;
    for (const subscription of subscriptions) {
      if (!this.active.some((existing) => sameSubscription(existing, subscription))) this.active.push(subscription);
    }
  }

  async unsubscribe(subscriptions: readonly Subscription[]): Promise<void> {
    this.unsubscribeCalls.push(subscriptions);
    this.active = this.active.filter((existing) => !subscriptions.some((removed) => sameSubscription(existing, removed)));
  }

  async close(): Promise<void> {
    this.closedValue = true;
    this.active = [];
  }

  /** True when a subscription for this instrument and kind (and interval, for bars) is active. */
  isSubscribed(query: Pick<Subscription, 'instrumentId' | 'kind'> & { interval?: number }): boolean {
    return this.active.some((subscription) =>
      subscription.instrumentId === query.instrumentId && subscription.kind === query.kind && (query.interval === undefined || subscription.interval === query.interval));
  }

  /** Delivers bars, trades, quotes or books to the subscriber's sink, in the order given. */
  push(...items: readonly (MarketDataItem | readonly MarketDataItem[])[]): void {
    if (this.closedValue) throw new InvariantError('fake market data client: push after close()');
    const sink = this.sinkValue;
    if (!sink) throw new InvariantError('fake market data client: push before subscribe(subscriptions, sink); nothing would receive the data');
    for (const entry of items) {
      const list = Array.isArray(entry) ? (entry as readonly MarketDataItem[]) : [entry as MarketDataItem];
      for (const item of list) {
        deliverMarketData(item, sink);
        this.pushedCount++;
      }
    }
  }
}
