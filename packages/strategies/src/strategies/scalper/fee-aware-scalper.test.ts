import { describe, expect, it } from 'vitest';
import type { EpochMs } from '@kbot/core';
import { TEST_START_TIME, bar, bars, book, createStrategyHarness, quote, runStrategyContract, trade, type StrategyHarness } from '@kbot/core/testing';
import { FeeAwareScalper, feeAwareScalperParams, type FeeAwareScalperParams } from './fee-aware-scalper.js';

// The first bar (BTC/USD, 1m, at 40,000) closes here; quotes and trades come after it.
const T = TEST_START_TIME + 60_000;
const at = (ms: number): EpochMs => T + ms;

async function scalper(input: Record<string, unknown> = {}): Promise<StrategyHarness<FeeAwareScalperParams>> {
  const params = feeAwareScalperParams.parse({ pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.01', skewTicks: 0, ...input });
  const harness = await createStrategyHarness({ strategy: new FeeAwareScalper(), params });
  harness.feed(bar({ close: 40_000 }));
  return harness;
}

/** [ms after T, side, price, quantity, status] of every order the scalper placed. */
const placed = (harness: StrategyHarness<FeeAwareScalperParams>) =>
  harness.intents.map((entry) => [entry.time - T, entry.intent.side, String(entry.intent.price), String(entry.intent.quantity), entry.order?.status]);
const cancelRequests = (harness: StrategyHarness<FeeAwareScalperParams>) =>
  harness.events.filter((event) => event.type === 'order-cancel-requested').map((event) => [event.time - T, (event as { clientOrderId: string }).clientOrderId]);

describe('FeeAwareScalper', () => {
  it('does not quote while the spread is at or below the fee hurdle (2 × the 0.25 % maker fee)', async () => {
    const harness = await scalper();
    harness.feed(quote({ time: at(1000), bid: 39_990, ask: 40_010 }));   // 0.05 % spread
    harness.feed(quote({ time: at(2000), bid: 39_900, ask: 40_100 }));   // exactly 0.50 %: no edge
    expect(harness.intents).toEqual([]);
    harness.feed(quote({ time: at(3000), bid: 39_890, ask: 40_110 }));   // 0.55 %: 0.05 % edge
    expect(placed(harness)).toEqual([[3000, 'buy', '39890', '0.01', 'accepted']]);
  });

  it('minEdgePercent raises the hurdle', async () => {
    const harness = await scalper({ minEdgePercent: 0.1 });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));   // edge 0.05 % < 0.1 %
    expect(harness.intents).toEqual([]);
    harness.feed(quote({ time: at(2000), bid: 39_860, ask: 40_140 }));   // 0.70 % − 0.50 % = 0.2 %
    expect(placed(harness)).toEqual([[2000, 'buy', '39860', '0.01', 'accepted']]);
  });

  it('places post-only GTC limit orders, joined to or improved inside the best bid, rounded to the tick', async () => {
    const harness = await scalper({ improveTicks: 3 });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    const [entry] = harness.intents;
    expect(entry!.intent).toMatchObject({ instrumentId: 'BTC/USD', side: 'buy', type: 'limit', postOnly: true, timeInForce: 'gtc', tag: 'scalp bid' });
    // Three 0.1 ticks inside: 39,890.3.
    expect(String(entry!.intent.price)).toBe('39890.3');
    expect(entry!.command?.postOnly).toBe(true);
    expect(entry!.order?.status).toBe('accepted');
    // With no inventory there is nothing to offer: no ask.
    expect(harness.intents).toHaveLength(1);
  });

  it('cancels a stale quote after staleAfterMs and places it again', async () => {
    const harness = await scalper({ staleAfterMs: 30_000 });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(quote({ time: at(30_999), bid: 39_890, ask: 40_110 }));   // 29.999 s old: kept
    expect(cancelRequests(harness)).toEqual([]);
    harness.feed(quote({ time: at(31_000), bid: 39_890, ask: 40_110 }));   // 30 s: canceled
    expect(cancelRequests(harness)).toEqual([[31_000, 'kb-1']]);
    harness.feed(quote({ time: at(32_000), bid: 39_890, ask: 40_110 }));   // placed again
    expect(placed(harness)).toEqual([[1000, 'buy', '39890', '0.01', 'canceled'], [32_000, 'buy', '39890', '0.01', 'accepted']]);
  });

  it('cancels a quote the market moved away from, and stays within the cancel budget', async () => {
    const harness = await scalper({ repriceTicks: 2, maxCancelsPerMinute: 2, staleAfterMs: 600_000 });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(quote({ time: at(2000), bid: 39_890.2, ask: 40_110 }));   // 2 ticks: within tolerance
    expect(cancelRequests(harness)).toEqual([]);
    // Each second the bid rises by 1 USD (10 ticks): cancel, place, cancel, place, then the budget is spent.
    for (let second = 3; second <= 8; second++) harness.feed(quote({ time: at(second * 1000), bid: 39_890 + second, ask: 40_120 }));
    expect(cancelRequests(harness)).toEqual([[3000, 'kb-1'], [5000, 'kb-2']]);
    expect(placed(harness)).toEqual([
      [1000, 'buy', '39890', '0.01', 'canceled'],
      [4000, 'buy', '39894', '0.01', 'canceled'],
      [6000, 'buy', '39896', '0.01', 'accepted'],
    ]);
    // One minute after the first cancel the budget has room again.
    harness.feed(quote({ time: at(62_999), bid: 39_950, ask: 40_200 }));
    expect(cancelRequests(harness)).toHaveLength(2);
    harness.feed(quote({ time: at(63_000), bid: 39_950, ask: 40_200 }));
    expect(cancelRequests(harness)).toEqual([[3000, 'kb-1'], [5000, 'kb-2'], [63_000, 'kb-3']]);
  });

  it('a bid and an ask filled by trades make a round trip that pays the maker fee twice', async () => {
    const harness = await scalper();
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    // A sell prints through the bid: it fills as maker at 39,890. Then the scalper offers the 0.01 BTC at 40,110.
    harness.feed(trade({ time: at(2000), price: 39_880, quantity: 0.05, side: 'sell' }));
    harness.feed(trade({ time: at(3000), price: 40_120, quantity: 0.05, side: 'buy' }));
    expect(placed(harness).slice(0, 2)).toEqual([
      [1000, 'buy', '39890', '0.01', 'filled'],
      [2000, 'sell', '40110', '0.01', 'filled'],
    ]);
    expect(harness.fills.map((fill) => [fill.side, fill.price.toFixed(), fill.fee.toFixed(), fill.liquidity])).toEqual([
      ['buy', '39890', '0.9973', 'maker'],   // 398.90 × 0.25 % = 0.99725, rounded half up to 4 places
      ['sell', '40110', '1.0028', 'maker'],  // 401.10 × 0.25 % = 1.00275
    ]);
    expect(harness.roundTrips.map((trip) => [trip.quantity.toFixed(), trip.grossPnl.toFixed(), trip.fees.toFixed(), trip.netPnl.toFixed()]))
      .toEqual([['0.01', '2.2', '2.0001', '0.1999']]);
    expect(harness.portfolio.balance('USD').total.toFixed()).toBe('10000.1999');
  });

  it('holds inventory within maxPosition and skews both quotes down as it builds', async () => {
    const harness = await scalper({ maxPosition: '0.02', skewTicks: 4, sellAboveBreakEven: false });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    // The bid fills: inventory 0.01 of 0.02, skew round(4 × 0.5) = 2 ticks. The ask goes up at
    // 40,110 − 0.2. No new bid yet: the trade at 39,880 is newer than the quote and at or below any
    // bid the scalper would make, so the book it sees is stale.
    harness.feed(trade({ time: at(2000), price: 39_880, quantity: 0.05, side: 'sell' }));
    harness.feed(quote({ time: at(3000), bid: 39_880, ask: 40_100 }));
    expect(placed(harness)).toEqual([
      [1000, 'buy', '39890', '0.01', 'filled'],
      [2000, 'sell', '40109.8', '0.01', 'canceled'],
      [3000, 'buy', '39879.8', '0.01', 'accepted'],
    ]);
    // On the fresh quote the ask belongs at 40,099.8, 10 away from where it rests: canceled.
    expect(cancelRequests(harness)).toEqual([[3000, 'kb-2']]);
    // The second bid fills: 0.02 BTC, full. No more bids; the ask goes 4 ticks under the best ask.
    harness.feed(trade({ time: at(4000), price: 39_870, quantity: 0.05, side: 'sell' }));
    expect(harness.portfolio.position('BTC/USD')?.quantity.toFixed()).toBe('0.02');
    expect(placed(harness).slice(3)).toEqual([[4000, 'sell', '40099.6', '0.01', 'accepted']]);
    for (let second = 5; second <= 8; second++) harness.feed(quote({ time: at(second * 1000), bid: 39_870, ask: 40_090 }));
    expect(placed(harness).slice(3)).toEqual([[4000, 'sell', '40099.6', '0.01', 'canceled'], [6000, 'sell', '40089.6', '0.01', 'accepted']]);
    expect(harness.intents.filter((entry) => entry.intent.side === 'buy')).toHaveLength(2);
  });

  it('offers inventory no lower than the entry plus both maker fees', async () => {
    const harness = await scalper();
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(trade({ time: at(2000), price: 39_880, quantity: 0.05, side: 'sell' }));
    // The ask collapses to 40,000: selling there would lose 0.10 after fees. Break-even:
    // 39,890 × 1.0025 / 0.9975 = 40,089.95…, rounded up to the tick: 40,090. The 40,110 ask is moved there.
    harness.feed(quote({ time: at(3000), bid: 39_900, ask: 40_000 }));
    harness.feed(quote({ time: at(4000), bid: 39_900, ask: 40_000 }));
    expect(placed(harness).filter((row) => row[1] === 'sell').map((row) => [row[0], row[2], row[4]])).toEqual([[2000, '40110', 'canceled'], [4000, '40090', 'accepted']]);
    // 0.25 % spread: no new bid while the spread is under the hurdle.
    expect(harness.intents.filter((entry) => entry.intent.side === 'buy')).toHaveLength(1);
  });

  it('reads the top of book and its imbalance from L2 books', async () => {
    const harness = await scalper({ source: 'book', imbalanceThreshold: 0.5, bookDepth: 2 });
    expect(harness.subscriptions.map((subscription) => subscription.kind)).toEqual(['bars', 'book', 'trades']);
    // Asks outweigh bids 3 to 1 over two levels: (2 − 6) / 8 = −0.5: selling pressure, no bid.
    harness.feed(book({ time: at(1000), bids: [[39_890, 1], [39_880, 1]], asks: [[40_110, 3], [40_120, 3], [40_200, 100]] }));
    expect(harness.intents).toEqual([]);
    harness.feed(book({ time: at(2000), bids: [[39_890, 2], [39_880, 2]], asks: [[40_110, 3], [40_120, 1]] }));
    expect(placed(harness)).toEqual([[2000, 'buy', '39890', '0.01', 'accepted']]);
  });

  it('pulls its quotes in a fast market (the last bar\'s range above maxBarRangePercent)', async () => {
    const params = feeAwareScalperParams.parse({ pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.01', maxBarRangePercent: 1 });
    const harness = await createStrategyHarness({ strategy: new FeeAwareScalper(), params });
    // A 1-minute bar from 39,500 to 40,500: 2.5 % range.
    harness.feed(bar({ open: 39_500, high: 40_500, low: 39_500, close: 40_000 }));
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    expect(harness.intents).toEqual([]);
    // A calm bar (0.375 %) closes at T + 60 s: the scalper quotes again at once, on the last quote.
    harness.feed(bar({ openTime: T, open: 40_000, high: 40_100, low: 39_950, close: 40_000 }));
    expect(placed(harness)).toEqual([[60_000, 'buy', '39890', '0.01', 'accepted']]);
  });

  it('quotes nothing before its first bar (its fast-market guard needs one)', async () => {
    const params = feeAwareScalperParams.parse({ pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.01' });
    const harness = await createStrategyHarness({ strategy: new FeeAwareScalper(), params });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    expect(harness.intents).toEqual([]);
  });

  it('validates its params', () => {
    expect(feeAwareScalperParams.safeParse({ pair: 'BTC/USD', quantity: '0', maxPosition: '1' }).error?.issues[0]?.path).toEqual(['quantity']);
    expect(feeAwareScalperParams.safeParse({ pair: 'BTC/USD', quantity: '0.01' }).error?.issues[0]?.path).toEqual(['maxPosition']);
    expect(feeAwareScalperParams.safeParse({ pair: 'BTC/USD', quantity: '0.01', maxPosition: '1', source: 'trades' }).success).toBe(false);
  });
});

runStrategyContract(
  'FeeAwareScalper',
  () => new FeeAwareScalper(),
  feeAwareScalperParams.parse({ pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.02' }),
  bars([40_000, 40_010, 39_990, 40_020, 40_000]),
);
