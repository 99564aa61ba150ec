import { describe, expect, it } from 'vitest';
import { ALLOW, Decimal, deny, krakenSpotInstruments, type ClientOrderId, type EpochMs, type OrderEntryBudget, type RiskPolicy } from '@kbot/core';
import { RecordingLogger, TEST_START_TIME, bar, bars, book, createStrategyHarness, quote, runStrategyContract, trade, type StrategyHarness, type StrategyHarnessOptions } from '@kbot/core/testing';
import { startLiveSession, startPaperSession, type PaperSession } from '../paper-session-test-kit.js';
import { FeeAwareScalper, feeAwareScalperParams, type FeeAwareScalperParams } from './fee-aware-scalper.js';

// The first bar (BTC/USD, 1m, at 40,000) closes here; quotes and trades come after it.
const T = TEST_START_TIME + 60_000;
const at = (ms: number): EpochMs => T + ms;

async function scalper(
  input: Record<string, unknown> = {},
  options: Pick<StrategyHarnessOptions<FeeAwareScalperParams>, 'venue' | 'instruments' | 'riskPolicies'> = {},
): Promise<StrategyHarness<FeeAwareScalperParams>> {
  const params = feeAwareScalperParams.parse({ pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.01', skewTicks: 0, ...input });
  const harness = await createStrategyHarness({ strategy: new FeeAwareScalper(), params, ...options });
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
    // A sell prints through the bid: it fills as maker at 39,890. On the next quote the scalper
    // offers the 0.01 BTC at 40,110, and a buy through it fills it.
    harness.feed(trade({ time: at(2000), price: 39_880, quantity: 0.05, side: 'sell' }));
    harness.feed(quote({ time: at(2500), bid: 39_890, ask: 40_110 }));
    harness.feed(trade({ time: at(3000), price: 40_120, quantity: 0.05, side: 'buy' }));
    expect(placed(harness).slice(0, 2)).toEqual([
      [1000, 'buy', '39890', '0.01', 'filled'],
      [2500, 'sell', '40110', '0.01', 'filled'],
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
    // The bid fills: inventory 0.01 of 0.02, skew round(4 × 0.5) = 2 ticks. Nothing is posted on the
    // trade; on the next quote the ask goes up at 40,100 − 0.2 and a new bid at 39,880 − 0.2.
    harness.feed(trade({ time: at(2000), price: 39_880, quantity: 0.05, side: 'sell' }));
    expect(placed(harness)).toEqual([[1000, 'buy', '39890', '0.01', 'filled']]);
    harness.feed(quote({ time: at(3000), bid: 39_880, ask: 40_100 }));
    expect(placed(harness)).toEqual([
      [1000, 'buy', '39890', '0.01', 'filled'],
      [3000, 'sell', '40099.8', '0.01', 'accepted'],
      [3000, 'buy', '39879.8', '0.01', 'accepted'],
    ]);
    // The second bid fills: 0.02 BTC, full. No more bids. The ask now belongs 4 ticks under the best
    // ask (40,099.6), 2 ticks from where it rests: kept.
    harness.feed(trade({ time: at(4000), price: 39_870, quantity: 0.05, side: 'sell' }));
    expect(harness.portfolio.position('BTC/USD')?.quantity.toFixed()).toBe('0.02');
    expect(cancelRequests(harness)).toEqual([]);
    // The best ask falls to 40,090: the ask (at 40,099.8, 10.2 away from 40,089.6) is re-placed.
    for (let second = 5; second <= 8; second++) harness.feed(quote({ time: at(second * 1000), bid: 39_870, ask: 40_090 }));
    expect(placed(harness).slice(1)).toEqual([
      [3000, 'sell', '40099.8', '0.01', 'canceled'],
      [3000, 'buy', '39879.8', '0.01', 'filled'],
      [6000, 'sell', '40089.6', '0.01', 'accepted'],
    ]);
    expect(harness.intents.filter((entry) => entry.intent.side === 'buy')).toHaveLength(2);
  });

  it('offers inventory no lower than the entry plus both maker fees', async () => {
    const harness = await scalper();
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(trade({ time: at(2000), price: 39_880, quantity: 0.05, side: 'sell' }));
    // The ask collapses to 40,000: selling there would lose 0.10 after fees. Break-even:
    // 39,890 × 1.0025 / 0.9975 = 40,089.95…, rounded up to the tick: 40,090. The ask goes there.
    harness.feed(quote({ time: at(3000), bid: 39_900, ask: 40_000 }));
    harness.feed(quote({ time: at(4000), bid: 39_900, ask: 40_000 }));
    expect(placed(harness).filter((row) => row[1] === 'sell').map((row) => [row[0], row[2], row[4]])).toEqual([[3000, '40090', 'accepted']]);
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
    harness.feed(quote({ time: at(59_000), bid: 39_890, ask: 40_110 }));
    expect(harness.intents).toEqual([]);
    // A calm bar (0.375 %) closes at T + 60 s: the scalper quotes again at once, on the last quote
    // (1 s old, within staleAfterMs).
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


/** A trade fills a resting quote with at most half its quantity, so a trade can leave part of a quote resting. */
const halfOfEachTrade = { venue: { fillModel: { maxVolumeParticipation: 0.5 } } };

/** Gives the harness's venue an order-entry budget the test sets (`ctx.orders.budget`), as Kraken's client does live. */
function withBudget(harness: StrategyHarness<FeeAwareScalperParams>, initial: { remaining: number; cancelCost?: number }) {
  const state = { remaining: initial.remaining, cancelCost: initial.cancelCost ?? 8 };
  const asked: string[] = [];
  Object.assign(harness.venue, {
    orderEntryBudget: (id: string): OrderEntryBudget => {
      asked.push(id);
      // As Kraken's: resting orders cost `state.cancelCost` to cancel; a new one (no id) its dearest, 8.
      return { remaining: state.remaining, submitCost: 1, cancelCost: (order?: ClientOrderId) => (order === undefined ? 8 : state.cancelCost) };
    },
  });
  return Object.assign(state, { asked });
}

/** The scalper's open orders never include a bid at or above one of its asks (a resting cancel included). */
function expectNoSelfCross(harness: StrategyHarness<FeeAwareScalperParams>): void {
  const open = harness.portfolio.openOrders('BTC/USD');
  const crossed = open.filter((bid) => bid.side === 'buy').flatMap((bid) => open
    .filter((ask) => ask.side === 'sell' && bid.price!.greaterThanOrEqualTo(ask.price!))
    .map((ask) => `bid ${bid.clientOrderId} @ ${bid.price!.toFixed()} >= ask ${ask.clientOrderId} @ ${ask.price!.toFixed()}`));
  expect(crossed).toEqual([]);
}

describe('FeeAwareScalper within the venue\'s order-entry budget (ctx.orders.budget, Kraken\'s trading counter live)', () => {
  it('posts a quote only when the budget also covers cancelling it young (1 + 8 points)', async () => {
    const harness = await scalper();
    const budget = withBudget(harness, { remaining: 8 });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    expect(harness.intents).toEqual([]);
    expect(budget.asked.at(-1)).toBe('BTC/USD');
    budget.remaining = 9;
    harness.feed(quote({ time: at(2000), bid: 39_890, ask: 40_110 }));
    expect(placed(harness)).toEqual([[2000, 'buy', '39890', '0.01', 'accepted']]);
  });

  it('keeps room to cancel every resting quote: beside a resting ask, a bid needs 1 + 8 + the ask\'s cancel cost', async () => {
    const harness = await scalper({ maxPosition: '0.02' });
    const budget = withBudget(harness, { remaining: 58 });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(trade({ time: at(2000), price: 39_880, quantity: 0.05, side: 'sell' }));   // the bid fills
    // Ask first (1 + 8 = 9, leaving 16), then the bid: 1 + 8 + 8 to cancel the ask = 17.
    budget.remaining = 17;
    harness.feed(quote({ time: at(3000), bid: 39_890, ask: 40_110 }));
    expect(placed(harness).slice(1)).toEqual([[3000, 'sell', '40110', '0.01', 'accepted']]);
    budget.remaining = 17;   // the ask rests: 1 + 8 + 8
    harness.feed(quote({ time: at(4000), bid: 39_890, ask: 40_110 }));
    expect(placed(harness).slice(1)).toEqual([[3000, 'sell', '40110', '0.01', 'accepted'], [4000, 'buy', '39890', '0.01', 'accepted']]);
  });

  it('reprices only when the budget covers the cancel, the replacement and the replacement\'s own cancel', async () => {
    const harness = await scalper({ staleAfterMs: 600_000 });
    const budget = withBudget(harness, { remaining: 58 });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    budget.remaining = 16;   // cancel 8 + order 1 + its cancel 8 = 17
    harness.feed(quote({ time: at(2000), bid: 39_895, ask: 40_120 }));   // 50 ticks away: would reprice
    expect(cancelRequests(harness)).toEqual([]);
    budget.remaining = 17;
    harness.feed(quote({ time: at(3000), bid: 39_895, ask: 40_120 }));
    expect(cancelRequests(harness)).toEqual([[3000, 'kb-1']]);
    // The replacement (17 − 8 spent = 9 left: 1 + 8).
    budget.remaining = 9;
    harness.feed(quote({ time: at(4000), bid: 39_895, ask: 40_120 }));
    expect(placed(harness)).toEqual([[1000, 'buy', '39890', '0.01', 'canceled'], [4000, 'buy', '39895', '0.01', 'accepted']]);
    // An old order is cheap to cancel (Kraken: 0 after 300 s): 0 + 1 + 8 is enough.
    budget.remaining = 9;
    budget.cancelCost = 0;
    harness.feed(quote({ time: at(5000), bid: 39_900, ask: 40_120 }));
    expect(cancelRequests(harness)).toEqual([[3000, 'kb-1'], [5000, 'kb-2']]);
  });

  it('pulls a quote it no longer wants whatever the venue budget and maxCancelsPerMinute say', async () => {
    const harness = await scalper({ maxCancelsPerMinute: 1, staleAfterMs: 600_000 });
    const budget = withBudget(harness, { remaining: 58 });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(quote({ time: at(2000), bid: 39_895, ask: 40_120 }));   // reprice: the one cancel of the minute
    harness.feed(quote({ time: at(3000), bid: 39_895, ask: 40_120 }));
    expect(cancelRequests(harness)).toEqual([[2000, 'kb-1']]);
    // The spread falls under the fee hurdle: the bid is no longer wanted at any price. It is pulled
    // although the budget is empty and the minute's cancel is spent.
    budget.remaining = 0;
    harness.feed(quote({ time: at(4000), bid: 39_990, ask: 40_010 }));
    expect(cancelRequests(harness)).toEqual([[2000, 'kb-1'], [4000, 'kb-2']]);
    expect(harness.portfolio.openOrders('BTC/USD')).toEqual([]);
  });

  it('without a venue budget (backtests, paper) only maxCancelsPerMinute limits repricing', async () => {
    const harness = await scalper({ maxCancelsPerMinute: 1, staleAfterMs: 600_000 });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(quote({ time: at(2000), bid: 39_895, ask: 40_120 }));
    harness.feed(quote({ time: at(3000), bid: 39_895, ask: 40_120 }));
    harness.feed(quote({ time: at(4000), bid: 39_900, ask: 40_120 }));
    expect(cancelRequests(harness)).toEqual([[2000, 'kb-1']]);
  });
});

describe('FeeAwareScalper on a trade', () => {
  it('posts nothing on a trade: after a fill the ask goes out on the next quote, at that quote\'s prices', async () => {
    const harness = await scalper({ maxPosition: '0.02' });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(trade({ time: at(2000), price: 39_880, quantity: 0.05, side: 'sell' }));   // fills the bid
    expect(placed(harness)).toEqual([[1000, 'buy', '39890', '0.01', 'filled']]);
    harness.feed(quote({ time: at(2005), bid: 39_870, ask: 40_100 }));
    expect(placed(harness).slice(1)).toEqual([[2005, 'sell', '40100', '0.01', 'accepted'], [2005, 'buy', '39870', '0.01', 'accepted']]);
  });

  it('neither reprices nor replaces on a trade, but pulls a quote the trade went through', async () => {
    const harness = await scalper({ staleAfterMs: 5000 }, halfOfEachTrade);
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(quote({ time: at(5000), bid: 39_890, ask: 40_110 }));
    // The bid is 5 s old at this trade, and the trade is above it: kept until the next quote.
    harness.feed(trade({ time: at(6000), price: 39_950, quantity: 0.05, side: 'buy' }));
    expect(cancelRequests(harness)).toEqual([]);
    harness.feed(quote({ time: at(6001), bid: 39_890, ask: 40_110 }));
    expect(cancelRequests(harness)).toEqual([[6001, 'kb-1']]);
    harness.feed(quote({ time: at(6002), bid: 39_890, ask: 40_110 }));
    // A sell prints through the new bid and fills half of it: the rest is pulled on the trade, and no new bid goes out on it.
    harness.feed(trade({ time: at(7000), price: 39_889, quantity: 0.01, side: 'sell' }));
    expect(cancelRequests(harness)).toEqual([[6001, 'kb-1'], [7000, 'kb-2']]);
    expect(placed(harness)).toEqual([[1000, 'buy', '39890', '0.01', 'canceled'], [6002, 'buy', '39890', '0.01', 'canceled']]);
  });
});

describe('FeeAwareScalper when orders are denied', () => {
  it('backs off after a risk denial (one bar interval, doubling) instead of submitting on every update', async () => {
    // A policy that refuses every buy, as max-position would at its limit.
    const refuseBuys: RiskPolicy = { name: 'refuse-buys', check: (order) => (order.side === 'buy' ? deny('max-position', 'test: no more buys') : ALLOW) };
    const harness = await scalper({}, { riskPolicies: [refuseBuys] });
    for (let second = 1; second <= 600; second++) harness.feed(quote({ time: at(second * 1000), bid: 39_890, ask: 40_110 }));
    // Ten minutes of quotes: denied at 1 s, then after 1, 2 and 4 minutes, not 600 times.
    expect(harness.denials.map((denial) => [denial.time - T, denial.code])).toEqual([
      [1000, 'max-position'], [61_000, 'max-position'], [181_000, 'max-position'], [421_000, 'max-position'],
    ]);
  });

  it('sends nothing while halted and quotes again as soon as the bot is resumed', async () => {
    const harness = await scalper();
    harness.engine.setTradingState('halted', 'test: operator halt');
    for (let second = 1; second <= 600; second++) harness.feed(quote({ time: at(second * 1000), bid: 39_890, ask: 40_110 }));
    expect(harness.denials).toEqual([]);
    expect(placed(harness)).toEqual([]);
    harness.engine.setTradingState('active', 'test: operator resume');
    harness.feed(quote({ time: at(601_000), bid: 39_890, ask: 40_110 }));
    expect(placed(harness)).toEqual([[601_000, 'buy', '39890', '0.01', 'accepted']]);
  });

  it('a halt pulls its resting quotes; in reducing it keeps offering inventory and sends no bid', async () => {
    const harness = await scalper({ maxPosition: '0.02' }, halfOfEachTrade);
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(trade({ time: at(2000), price: 39_880, quantity: 0.05, side: 'sell' }));   // the bid fills
    harness.feed(quote({ time: at(3000), bid: 39_890, ask: 40_110 }));                         // ask and a new bid
    harness.feed(trade({ time: at(4000), price: 39_880, quantity: 0.01, side: 'sell' }));      // half of it fills, the rest is pulled
    harness.engine.setTradingState('reducing', 'test: daily loss');
    for (let second = 5; second <= 30; second++) harness.feed(quote({ time: at(second * 1000), bid: 39_890, ask: 40_110 }));
    expect(harness.denials).toEqual([]);
    expect(harness.portfolio.openOrders('BTC/USD').map((order) => [order.side, order.price?.toFixed()])).toEqual([['sell', '40110']]);
    harness.engine.setTradingState('halted', 'test: max drawdown');
    for (let second = 66; second <= 70; second++) harness.feed(quote({ time: at(second * 1000), bid: 39_890, ask: 40_110 }));
    expect(harness.denials).toEqual([]);
    expect(harness.portfolio.openOrders('BTC/USD')).toEqual([]);
  });
});

describe('FeeAwareScalper never bids at or above its own ask', () => {
  it('cancels a kept bid that the ask it is about to post would meet, and posts the ask once the bid is gone', async () => {
    // At the top tier (0.00 % maker) a one-tick spread is an edge, and the break-even ask is the entry.
    const instruments = krakenSpotInstruments().map((instrument) => (instrument.id === 'BTC/USD' ? { ...instrument, makerFee: new Decimal(0) } : instrument));
    const harness = await scalper({ maxPosition: '0.02' }, { instruments, ...halfOfEachTrade });
    const steps = [
      quote({ time: at(1000), bid: 40_000, ask: 40_000.5, bidSize: 0, askSize: 0 }),   // bid at 40,000
      quote({ time: at(2000), bid: 39_999.9, ask: 40_000.3, bidSize: 0, askSize: 0 }), // it belongs at 39,999.9: 1 tick, kept
      trade({ time: at(3000), price: 39_999.95, quantity: 0.01, side: 'sell' }),        // fills half of it
      quote({ time: at(4000), bid: 39_999.9, ask: 40_000, bidSize: 0, askSize: 0 }),   // the ask belongs at 40,000: the bid's price
      quote({ time: at(5000), bid: 39_999.9, ask: 40_000, bidSize: 0, askSize: 0 }),
    ];
    for (const step of steps) {
      harness.feed(step);
      expectNoSelfCross(harness);
    }
    expect(placed(harness)).toEqual([
      [1000, 'buy', '40000', '0.01', 'canceled'],
      [5000, 'sell', '40000', '0.005', 'accepted'],
      [5000, 'buy', '39999.9', '0.01', 'accepted'],
    ]);
    expect(cancelRequests(harness)).toEqual([[4000, 'kb-1']]);
  });
});

describe('FeeAwareScalper on a quantity it can never trade', () => {
  it('warns once at start when quantity is below the pair\'s minimum order size', async () => {
    const logger = new RecordingLogger();
    const params = feeAwareScalperParams.parse({ pair: 'BTC/USD', quantity: '0.00001', maxPosition: '0.01' });
    const harness = await createStrategyHarness({ strategy: new FeeAwareScalper(), params, logger });
    harness.feed(bar({ close: 40_000 }));
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    expect(harness.intents).toEqual([]);
    expect(logger.messages('warn')).toEqual([
      'quantity: received 0.00001, expected at least 0.0001 (the BTC/USD minimum order size): the scalper will never quote',
    ]);
  });

  it('warns when maxPosition is below the minimum: it can never bid', async () => {
    const logger = new RecordingLogger();
    const params = feeAwareScalperParams.parse({ pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.00005' });
    await createStrategyHarness({ strategy: new FeeAwareScalper(), params, logger });
    expect(logger.messages('warn')).toEqual([
      'maxPosition: received 0.00005, expected at least 0.0001 (the BTC/USD minimum order size): the scalper will never bid',
    ]);
  });
});

describe('FeeAwareScalper when the venue drops its book (a checksum mismatch or a lost connection)', () => {
  it('pulls its quotes at once on the resync report, and quotes again on the next verified book', async () => {
    const harness = await scalper({ source: 'book', staleAfterMs: 600_000 });
    harness.feed(book({ time: at(1000), bids: [[39_890, 1]], asks: [[40_110, 1]] }));
    expect(placed(harness)).toEqual([[1000, 'buy', '39890', '0.01', 'accepted']]);
    // Another pair's book, and a verified snapshot, change nothing.
    const report = (status: 'resync' | 'synced', instrument = 'BTC/USD') => ({ instrumentId: instrument as never, time: at(2000), status, mismatches: 1, resyncs: 1, ageMs: 1000, book: 'l2' as const });
    harness.engine.onBookHealth(report('resync', 'ETH/USD'));
    harness.engine.onBookHealth(report('synced'));
    expect(cancelRequests(harness)).toEqual([]);
    harness.engine.onBookHealth(report('resync'));
    // At once, at the engine's time (a report does not move the clock): the last book's.
    expect(cancelRequests(harness)).toEqual([[1000, 'kb-1']]);
    // Nothing is posted while there is no verified book: not on a trade, not on a bar.
    harness.feed(trade({ time: at(3000), price: 40_000, quantity: 0.05, side: 'buy' }));
    expect(harness.intents).toHaveLength(1);
    harness.feed(book({ time: at(4000), bids: [[39_890, 1]], asks: [[40_110, 1]] }));
    expect(placed(harness)).toEqual([[1000, 'buy', '39890', '0.01', 'canceled'], [4000, 'buy', '39890', '0.01', 'accepted']]);
  });
});

describe('FeeAwareScalper on a top of book older than staleAfterMs (a quiet or resyncing feed)', () => {
  it('pulls its quotes and posts none until a fresh quote or book arrives', async () => {
    const harness = await scalper({ staleAfterMs: 30_000 });
    harness.feed(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    harness.feed(trade({ time: at(30_999), price: 40_000, quantity: 0.05, side: 'buy' }));
    expect(cancelRequests(harness)).toEqual([]);
    // The last quote is 30 s old: the book may be resyncing or the feed down; the bid is pulled.
    harness.feed(trade({ time: at(31_000), price: 40_000, quantity: 0.05, side: 'buy' }));
    expect(cancelRequests(harness)).toEqual([[31_000, 'kb-1']]);
    // Nothing is posted on it: not on a trade, not on a bar.
    harness.feed(trade({ time: at(32_000), price: 40_000, quantity: 0.05, side: 'buy' }));
    harness.feed(bar({ openTime: T, close: 40_000 }));
    expect(harness.intents).toHaveLength(1);
    harness.feed(quote({ time: at(60_500), bid: 39_890, ask: 40_110 }));
    expect(placed(harness)).toEqual([[1000, 'buy', '39890', '0.01', 'canceled'], [60_500, 'buy', '39890', '0.01', 'accepted']]);
  });
});

runStrategyContract(
  'FeeAwareScalper',
  () => new FeeAwareScalper(),
  feeAwareScalperParams.parse({ pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.02' }),
  bars([40_000, 40_010, 39_990, 40_020, 40_000]),
);

describe('FeeAwareScalper warm-up', () => {
  const settings = () => feeAwareScalperParams.parse({ pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.01', skewTicks: 0 });

  it('asks for no history: it reads no indicator', () => {
    expect(new FeeAwareScalper().subscriptions(settings()).map((subscription) => subscription.warmUpBars)).toEqual([undefined, undefined, undefined]);
  });

  it('places nothing on history another strategy asked for, even with a fresh quote; keeps its last bar and quotes on the next live quote', async () => {
    const session = await startPaperSession(new FeeAwareScalper(), settings(), T);
    // A quote wide enough to bid on (0.55 % against the 0.50 % hurdle), before the history.
    session.engine.onQuote(quote({ time: T, bid: 39_890, ask: 40_110 }));
    session.warmUp(bars([40_000, 40_000], { start: TEST_START_TIME - 60_000 }));
    expect([session.orders(), session.denials()]).toEqual([[], []]);
    // The last history bar serves the fast-market guard: the next quote is bid on without a live bar.
    session.engine.onQuote(quote({ time: T, bid: 39_880, ask: 40_110 }));
    expect(session.orders().map((order) => [order.side, order.price?.toFixed(), order.status])).toEqual([['buy', '39880', 'accepted']]);
    await session.stop();
  });
});

describe('FeeAwareScalper after a restart (live: its quotes rest on the exchange while the bot is down)', () => {
  const params = feeAwareScalperParams.parse({ pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.01', skewTicks: 0, improveTicks: 3 });
  const openBids = (session: PaperSession) => session.engine.orders.openOrders().filter((order) => order.side === 'buy').map((order) => `${order.clientOrderId} ${order.price!.toFixed()}`);
  const requests = (session: PaperSession, type: string) => session.store.events().filter((event) => event.type === type).map((event) => (event as { clientOrderId: string }).clientOrderId);

  it('takes over the bid it left instead of posting a second one beside it', async () => {
    const first = await startLiveSession(new FeeAwareScalper(), params, T);
    first.engine.onBar(bar({ close: 40_000 }));
    first.engine.onQuote(quote({ time: at(1000), bid: 39_890, ask: 40_110 }));
    expect(openBids(first)).toEqual(['kb-1 39890.3']);
    await first.stop();

    const second = await startLiveSession(new FeeAwareScalper(), params, at(2000), undefined, first.store);
    second.engine.onBar(bar({ openTime: T, close: 40_000 }));
    second.engine.onQuote(quote({ time: at(2500), bid: 39_890, ask: 40_110 }));
    // The same book: the bid it took over is where it wants it, so nothing is sent.
    expect(openBids(second)).toEqual(['kb-1 39890.3']);
    expect(requests(second, 'order-submitted')).toEqual(['kb-1']);
    // The book moves: the taken-over bid is repriced (cancelled and replaced) like its own.
    second.engine.onQuote(quote({ time: at(3000), bid: 39_500, ask: 39_700 }));
    expect(requests(second, 'order-cancel-requested')).toEqual(['kb-1']);
  });
});
