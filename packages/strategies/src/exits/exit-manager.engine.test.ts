import { instrumentId, type Bar, type OrderEvent, type Strategy, type StrategyContext } from '@kbot/core';
import { bar, createStrategyHarness, TEST_START_TIME, trade } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { ExitManager } from './exit-manager.js';
import { stopLoss } from './stop-loss.js';
import { takeProfitLadder } from './take-profit-ladder.js';
import { trailingStop } from './trailing-stop.js';

interface Params {
  readonly resting: boolean;
}

/** Buys 0.4 BTC at the close of bar 2 and leaves the rest to the exits. */
class BuyAndHarvest implements Strategy<Params> {
  private exits!: ExitManager;
  private seen = 0;

  subscriptions() {
    return [{ instrumentId: instrumentId('BTC/USD'), kind: 'bars' as const, interval: 60_000 }];
  }

  onStart(ctx: StrategyContext<Params>): void {
    this.exits = new ExitManager({
      instrument: ctx.market.instrument('BTC/USD'),
      rules: [stopLoss({ percent: 2 }), trailingStop({ percent: 1 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }])],
      resting: ctx.params.resting,
    });
  }

  onBar(current: Bar, ctx: StrategyContext<Params>): void {
    this.seen += 1;
    this.exits.apply(this.exits.onBar(current, ctx.portfolio.position('BTC/USD')), ctx.orders);
    if (this.seen === 2) ctx.orders.submit({ instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.4', tag: 'entry' });
  }

  onOrderEvent(event: OrderEvent, ctx: StrategyContext<Params>): void {
    this.exits.apply(this.exits.onOrderEvent(event), ctx.orders);
  }
}

const ohlc: ReadonlyArray<readonly [number, number, number, number]> = [
  [20_000, 20_000, 20_000, 20_000],
  [20_000, 20_000, 20_000, 20_000], // the strategy buys at this close
  [20_000, 20_100, 19_950, 20_050], // buy fills at the open; high 20,100 → trailing 19,899
  [20_060, 20_250, 20_050, 20_220], // close ≥ +1%: half goes; trailing 20,047.5
  [20_230, 20_240, 20_200, 20_210], // the half fills at the open
  [20_100, 20_110, 20_000, 20_020], // low 20,000: a resting stop at 20,047.5 fires; the close is under it too
  [20_010, 20_030, 19_990, 20_000],
];
const testBars = ohlc.map(([open, high, low, close], index) => bar({ openTime: TEST_START_TIME + index * 60_000, open, high, low, close, volume: 50 }));

async function run(resting: boolean) {
  const harness = await createStrategyHarness({ strategy: new BuyAndHarvest(), params: { resting } });
  harness.feed(testBars);
  await harness.stop();
  return harness;
}

describe('ExitManager in the engine', () => {
  it('resting: the stop rests on the venue, moves up by cancel and replace, makes room for the take-profit, and fires on the touch', async () => {
    const harness = await run(true);
    expect(harness.intents.map((entry) => `bar ${entry.barsSeen}: ${entry.intent.side} ${entry.intent.type} ${String(entry.intent.quantity)}${entry.intent.triggerPrice === undefined ? '' : ` @ ${String(entry.intent.triggerPrice)}`} ${entry.intent.tag} → ${entry.order?.status}`)).toEqual([
      'bar 2: buy market 0.4 entry → filled',
      'bar 2: sell stop-loss 0.4 @ 19600 protective stop: stop-loss → canceled',
      'bar 3: sell stop-loss 0.4 @ 19899 protective stop: trailing-stop → canceled',
      'bar 4: sell market 0.2 exit: take-profit 50% → filled',
      'bar 4: sell stop-loss 0.2 @ 20047.5 protective stop: trailing-stop → filled',
    ]);
    expect(harness.fills.map((fill) => `${fill.side} ${fill.quantity.toFixed()} @ ${fill.price.toFixed()}`)).toEqual([
      'buy 0.4 @ 20000',
      'sell 0.2 @ 20230',
      'sell 0.2 @ 20047.5',
    ]);
    expect(harness.denials).toEqual([]);
    expect(harness.events.filter((event) => event.type === 'order-rejected')).toEqual([]);
    expect(harness.portfolio.positions()).toEqual([]);
  });

  it('not resting: the same bars sell at market after the close under the trailing level', async () => {
    const harness = await run(false);
    expect(harness.fills.map((fill) => `${fill.side} ${fill.quantity.toFixed()} @ ${fill.price.toFixed()}`)).toEqual([
      'buy 0.4 @ 20000',
      'sell 0.2 @ 20230',
      'sell 0.2 @ 20010',
    ]);
    expect(harness.intents.map((entry) => entry.intent.tag)).toEqual(['entry', 'exit: take-profit 50%', 'exit: trailing-stop']);
  });
});

/** Runs only the exits (resting, with the strategy's context), as a strategy does after a restart. */
class HarvestOnly implements Strategy<Params> {
  private exits!: ExitManager;

  subscriptions() {
    return [{ instrumentId: instrumentId('BTC/USD'), kind: 'bars' as const, interval: 60_000 }];
  }

  onStart(ctx: StrategyContext<Params>): void {
    this.exits = new ExitManager({ instrument: ctx.market.instrument('BTC/USD'), rules: [stopLoss({ percent: 2 }), trailingStop({ percent: 1 })], resting: ctx.params.resting, context: ctx });
  }

  onBar(current: Bar, ctx: StrategyContext<Params>): void {
    this.exits.apply(this.exits.onBar(current, ctx.portfolio.position('BTC/USD')), ctx.orders);
  }

  onOrderEvent(event: OrderEvent, ctx: StrategyContext<Params>): void {
    this.exits.apply(this.exits.onOrderEvent(event), ctx.orders);
  }
}

describe('ExitManager in the engine, after a restart', () => {
  it('keeps the stop the earlier run left resting (the venue would refuse a second: the first holds the coins), moves it up and lets it fire', async () => {
    const harness = await createStrategyHarness({ strategy: new HarvestOnly(), params: { resting: true } });
    // What the earlier run left: 0.4 BTC bought at 20,000 and its protective stop at 19,899.
    harness.feed(trade({ time: TEST_START_TIME - 120_000, price: 20_000, quantity: 1 }));
    harness.engine.submit('earlier-run', { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.4' });
    harness.feed(trade({ time: TEST_START_TIME - 60_000, price: 20_000, quantity: 1 }));
    harness.engine.submit(harness.strategyId, { instrumentId: 'BTC/USD', side: 'sell', type: 'stop-loss', quantity: '0.4', triggerPrice: '19899', tag: 'protective stop: trailing-stop' });
    harness.feed([
      bar({ openTime: TEST_START_TIME, open: 20_000, high: 20_050, low: 19_950, close: 20_000, volume: 50 }), // trailing 19,849.5: the old stop stays
      bar({ openTime: TEST_START_TIME + 60_000, open: 20_000, high: 20_200, low: 19_990, close: 20_150, volume: 50 }), // trailing 19,998: moved up
      bar({ openTime: TEST_START_TIME + 120_000, open: 20_100, high: 20_110, low: 19_900, close: 19_950, volume: 50 }), // fires at 19,998
    ]);
    await harness.stop();
    expect(harness.intents.map((entry) => `bar ${entry.barsSeen}: ${entry.intent.side} ${entry.intent.type} ${String(entry.intent.quantity)} @ ${String(entry.intent.triggerPrice)} → ${entry.order?.status}`)).toEqual([
      'bar 2: sell stop-loss 0.4 @ 19998 → filled',
    ]);
    expect(harness.events.filter((event) => event.type === 'order-rejected')).toEqual([]);
    expect(harness.fills.map((fill) => `${fill.side} ${fill.quantity.toFixed()} @ ${fill.price.toFixed()}`)).toEqual(['buy 0.4 @ 20000', 'sell 0.4 @ 19998']);
    expect(harness.portfolio.positions()).toEqual([]);
  });
});
