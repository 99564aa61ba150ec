import { describe, expect, it } from 'vitest';
import type { OrderEvent } from '../model/events.js';
import type { Bar } from '../model/market-data.js';
import { maxPosition } from '../risk/policies/max-position.js';
import { FixedBpsSlippage } from '../simulation/slippage-model.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import { runContractCheck } from './contract-check.js';
import { FakeLearner } from './fake-learner.js';
import { bar, TEST_START_TIME } from './market-data-builders.js';
import { runStrategyContract, strategyContractChecks } from './strategy-contract.js';
import { createStrategyHarness } from './strategy-harness.js';

interface BuySellParams {
  readonly pair: string;
  readonly quantity: string;
  readonly buyOnBar: number;
  readonly sellOnBar: number;
}

/** Buys at market on one bar and sells the same quantity on a later one. */
class BuyThenSell implements Strategy<BuySellParams> {
  private seen = 0;
  readonly orderEvents: OrderEvent[] = [];

  subscriptions(params: BuySellParams) {
    return [{ instrumentId: params.pair as never, kind: 'bars' as const, interval: 60_000 }];
  }

  onBar(_bar: Bar, ctx: StrategyContext<BuySellParams>): void {
    this.seen++;
    const { pair, quantity, buyOnBar, sellOnBar } = ctx.params;
    if (this.seen === buyOnBar) ctx.orders.submit({ instrumentId: pair, side: 'buy', type: 'market', quantity, tag: 'entry' });
    if (this.seen === sellOnBar) ctx.orders.submit({ instrumentId: pair, side: 'sell', type: 'market', quantity, tag: 'exit' });
  }

  onOrderEvent(event: OrderEvent): void {
    this.orderEvents.push(event);
  }
}

const params: BuySellParams = { pair: 'BTC/USD', quantity: '0.01', buyOnBar: 3, sellOnBar: 6 };

// Opens differ from the previous closes, so a fill at "the next bar's open" cannot be mistaken
// for a fill at the signal bar's close.
const minute = 60_000;
const ohlc: ReadonlyArray<readonly [number, number, number, number]> = [
  [40_000, 40_050, 39_950, 40_020],
  [40_030, 40_120, 40_000, 40_100],
  [40_110, 40_250, 40_090, 40_200], // bar 3: the strategy buys on its close
  [40_310, 40_400, 40_280, 40_350], // bar 4: the buy fills at its open, 40,310
  [40_340, 40_500, 40_300, 40_450],
  [40_460, 40_600, 40_400, 40_550], // bar 6: the strategy sells on its close
  [40_520, 40_560, 40_380, 40_400], // bar 7: the sell fills at its open, 40,520
  [40_410, 40_430, 40_300, 40_320],
];
const testBars = ohlc.map(([open, high, low, close], index) => bar({ openTime: TEST_START_TIME + index * minute, open, high, low, close, volume: 5 }));

describe('strategy harness', () => {
  it('runs the strategy in the engine: market orders fill at the next bar open with Kraken taker fees', async () => {
    const strategy = new BuyThenSell();
    const harness = await createStrategyHarness({ strategy, params, balances: { USD: '10000' } });
    harness.feed(testBars);
    await harness.stop();

    expect(harness.barsSeen).toBe(8);
    expect(harness.intents.map((entry) => [entry.clientOrderId, entry.intent.side, entry.intent.tag, entry.barsSeen, entry.time])).toEqual([
      ['kb-1', 'buy', 'entry', 3, TEST_START_TIME + 3 * minute],
      ['kb-2', 'sell', 'exit', 6, TEST_START_TIME + 6 * minute],
    ]);
    const [entry, exit] = harness.intents;
    expect(entry!.command?.quantity.toFixed()).toBe('0.01');
    expect(entry!.command?.createdAt).toBe(TEST_START_TIME + 3 * minute);
    expect(entry!.order?.status).toBe('filled');
    expect(exit!.order?.status).toBe('filled');

    // 0.01 × 40,310 = 403.1 USD; taker fee 0.40% = 1.6124. 0.01 × 40,520 = 405.2; fee 1.6208.
    expect(harness.fills.map((fill) => ({
      order: fill.clientOrderId, side: fill.side, quantity: fill.quantity.toFixed(), price: fill.price.toFixed(),
      fee: fill.fee.toFixed(), feeAsset: fill.feeAsset, liquidity: fill.liquidity, time: fill.time,
    }))).toEqual([
      { order: 'kb-1', side: 'buy', quantity: '0.01', price: '40310', fee: '1.6124', feeAsset: 'USD', liquidity: 'taker', time: TEST_START_TIME + 3 * minute },
      { order: 'kb-2', side: 'sell', quantity: '0.01', price: '40520', fee: '1.6208', feeAsset: 'USD', liquidity: 'taker', time: TEST_START_TIME + 6 * minute },
    ]);

    expect(harness.events.map((event) => `${event.sequence} ${event.type}${'clientOrderId' in event ? ` ${event.clientOrderId}` : ''}`)).toEqual([
      '1 engine-started',
      '2 order-submitted kb-1',
      '3 order-accepted kb-1',
      '4 order-filled kb-1',
      '5 position-opened',
      '6 order-submitted kb-2',
      '7 order-accepted kb-2',
      '8 order-filled kb-2',
      '9 position-closed',
      '10 engine-stopped',
    ]);
    expect(strategy.orderEvents.map((event) => `${event.type} ${event.clientOrderId}`)).toEqual([
      'order-submitted kb-1', 'order-accepted kb-1', 'order-filled kb-1',
      'order-submitted kb-2', 'order-accepted kb-2', 'order-filled kb-2',
    ]);
    expect(harness.orderEvents).toHaveLength(6);

    // 10,000 − 403.1 − 1.6124 + 405.2 − 1.6208 = 9,998.8668
    expect(harness.portfolio.balance('USD').total.toFixed()).toBe('9998.8668');
    expect(harness.portfolio.balance('BTC').total.isZero()).toBe(true);
    expect(harness.portfolio.positions()).toEqual([]);
    expect(harness.roundTrips).toHaveLength(1);
    const trip = harness.roundTrips[0]!;
    expect([trip.grossPnl.toFixed(), trip.fees.toFixed(), trip.netPnl.toFixed()]).toEqual(['2.1', '3.2332', '-1.1332']);
    expect(harness.denials).toEqual([]);
  });

  it('shows what the position looks like between entry and exit', async () => {
    const harness = await createStrategyHarness({ strategy: new BuyThenSell(), params });
    harness.feed(testBars.slice(0, 5));
    const held = harness.portfolio.position('BTC/USD');
    expect(held?.quantity.toFixed()).toBe('0.01');
    expect(held?.averageEntryPrice.toFixed()).toBe('40310');
    expect(harness.portfolio.balance('USD').total.toFixed()).toBe('9595.2876');
    expect(harness.portfolio.openOrders()).toEqual([]);
  });

  it('records denied orders with their code, and an order below the minimum never reaches the venue', async () => {
    const harness = await createStrategyHarness({ strategy: new BuyThenSell(), params: { ...params, quantity: '0.00005' } });
    harness.feed(testBars);
    expect(harness.denials.map((event) => [event.clientOrderId, event.code])).toEqual([['kb-1', 'invalid-order'], ['kb-2', 'invalid-order']]);
    expect(harness.intents.map((entry) => entry.command)).toEqual([undefined, undefined]);
    expect(harness.fills).toEqual([]);
  });

  it('passes venue options and risk policies through', async () => {
    // 10 bps slippage: the buy pays 40,310 × 1.001 = 40,350.31, rounded up to the 0.1 tick.
    const slipped = await createStrategyHarness({ strategy: new BuyThenSell(), params, venue: { slippageModel: new FixedBpsSlippage(10) } });
    slipped.feed(testBars.slice(0, 4));
    expect(slipped.fills.map((fill) => fill.price.toFixed())).toEqual(['40350.4']);

    // Half a bar's volume per bar: 0.01 BTC of a 0.01 BTC bar fills 0.005 per bar.
    const capped = await createStrategyHarness({ strategy: new BuyThenSell(), params, venue: { fillModel: { maxVolumeParticipation: 0.5 } } });
    capped.feed(testBars.slice(0, 5).map((candle) => ({ ...candle, volume: 0.01 })));
    expect(capped.fills.map((fill) => fill.quantity.toFixed())).toEqual(['0.005', '0.005']);

    const limited = await createStrategyHarness({ strategy: new BuyThenSell(), params, riskPolicies: [maxPosition({ base: '0.005' })] });
    limited.feed(testBars);
    expect(limited.denials.map((event) => [event.clientOrderId, event.code, event.policy])).toEqual([['kb-1', 'max-position', 'max-position']]);
    // The sell passes risk (sells only shrink a position) but the venue has no BTC to sell.
    expect(limited.intents.map((entry) => [entry.order?.status, entry.order?.reason])).toEqual([
      ['denied', 'position would be 0.01 BTC, above the limit of 0.005'],
      ['rejected', 'EOrder:Insufficient funds'],
    ]);
  });

  it('starts from the given balances', async () => {
    const poor = await createStrategyHarness({ strategy: new BuyThenSell(), params, balances: { USD: '100' } });
    poor.feed(testBars);
    expect(poor.intents.map((entry) => entry.order?.status)).toEqual(['rejected', 'rejected']);
    expect(poor.portfolio.balance('USD').total.toFixed()).toBe('100');
    expect(poor.fills).toEqual([]);
  });

  it('hands closed trades to learners', async () => {
    const learner = new FakeLearner();
    const harness = await createStrategyHarness({ strategy: new BuyThenSell(), params, learners: [learner] });
    harness.feed(testBars);
    expect(learner.observations).toBe(1);
    expect(learner.outcomes[0]?.roundTrip.netPnl.toFixed()).toBe('-1.1332');
  });
});

runStrategyContract('BuyThenSell', () => new BuyThenSell(), params, testBars);

describe('the Strategy contract catches broken strategies', () => {
  it('a strategy that trades in onStart, before any bar', async () => {
    class Eager extends BuyThenSell {
      onStart(ctx: StrategyContext<BuySellParams>): void {
        ctx.orders.submit({ instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.01' });
      }
    }
    const checks = strategyContractChecks(() => new Eager(), params, testBars);
    await expect(runContractCheck(checks, 'no order is submitted before the strategy has seen a bar')).rejects.toThrow();
  });

  it('a strategy whose orders depend on something other than the data', async () => {
    let instances = 0;
    class Drifting extends BuyThenSell {
      // Each new instance trades a different size: state that leaks between runs.
      private readonly size = ++instances % 2 === 0 ? '0.02' : '0.01';
      override onBar(candle: Bar, ctx: StrategyContext<BuySellParams>): void {
        super.onBar(candle, { ...ctx, params: { ...ctx.params, quantity: this.size } });
      }
    }
    const checks = strategyContractChecks(() => new Drifting(), params, testBars);
    await expect(runContractCheck(checks, 'the same bars give the same journal, event for event')).rejects.toThrow();
  });

  it('a strategy that throws on a bar, or whose subscriptions match none of the bars', async () => {
    const throwing = strategyContractChecks(() => Object.assign(new BuyThenSell(), { onBar: () => { throw new Error('boom'); } }), params, testBars);
    await expect(runContractCheck(throwing, 'handlers do not throw on the contract bars')).rejects.toThrow();
    const elsewhere = strategyContractChecks(() => new BuyThenSell(), { ...params, pair: 'ETH/USD' }, testBars);
    await expect(runContractCheck(elsewhere, 'the contract bars reach the strategy')).rejects.toThrow();
  });

  it('a strategy without subscriptions, or subscribing to bars without an interval', async () => {
    const silent = strategyContractChecks(() => Object.assign(new BuyThenSell(), { subscriptions: () => [] }), params, testBars);
    await expect(runContractCheck(silent, 'subscriptions are declared, valid, and the same on every call')).rejects.toThrow();
    const noInterval = strategyContractChecks(() => Object.assign(new BuyThenSell(), { subscriptions: () => [{ instrumentId: 'BTC/USD', kind: 'bars' }] }), params, testBars);
    await expect(runContractCheck(noInterval, 'subscriptions are declared, valid, and the same on every call')).rejects.toThrow(/interval/);
  });

  it('warms a strategy up on history: warmingUp is read live, orders meanwhile are denied, and warm-up bars are counted apart', async () => {
    const seen: boolean[] = [];
    class Eager implements Strategy<BuySellParams> {
      subscriptions(p: BuySellParams) {
        return [{ instrumentId: p.pair as never, kind: 'bars' as const, interval: minute, warmUpBars: 2 }];
      }
      onStart(): void {}
      onBar(_bar: Bar, ctx: StrategyContext<BuySellParams>): void {
        seen.push(ctx.warmingUp);
        ctx.orders.submit({ instrumentId: ctx.params.pair, side: 'buy', type: 'market', quantity: ctx.params.quantity });
      }
    }
    const harness = await createStrategyHarness({ strategy: new Eager(), params });
    harness.warmUp(testBars.slice(0, 2));
    harness.feed(testBars.slice(2, 4));
    expect(seen).toEqual([true, true, false, false]);
    expect(harness.warmUpBarsSeen).toBe(2);
    expect(harness.barsSeen).toBe(2);
    expect(harness.denials.map((denial) => denial.code)).toEqual(['warming-up', 'warming-up']);
    expect(harness.intents.filter((intent) => intent.command !== undefined)).toHaveLength(2);
  });
});
