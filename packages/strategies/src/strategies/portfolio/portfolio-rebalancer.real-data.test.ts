import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decimal, FixedBpsSlippage, ZERO, checkOrderRules, isoTime, mergeBarStreams, openBarFile } from '@kbot/core';
import { createStrategyHarness, krakenInstrument } from '@kbot/core/testing';
import { PortfolioRebalancer, portfolioRebalancerParams } from './portfolio-rebalancer.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';

// Needs Kraken's 4h BTC/USD and ETH/USD files for 2024–2025 from the shared data folder, which
// lives outside the repository; without it there is nothing real to replay.
describe.skipIf(!DATA)('PortfolioRebalancer on Kraken 4h BTC/USD + ETH/USD, 2024–2025', () => {
  it('rebalances two pairs from two files, within the rules, and the cash adds up to the cent', async () => {
    const folder = join(DATA, 'ohlcv/kraken/4h-2024-2025');
    const sources = [openBarFile(join(folder, 'XBTUSD_240.csv')), openBarFile(join(folder, 'ETHUSD_240.csv'))];
    const params = portfolioRebalancerParams.parse({
      targets: { 'BTC/USD': 0.5, 'ETH/USD': 0.3 }, interval: '4h', driftThresholdPercent: 5, reserves: { BTC: '0.1' },
    });
    const harness = await createStrategyHarness({
      strategy: new PortfolioRebalancer(),
      params,
      balances: { USD: '10000' },
      // As strict as `kbot backtest`: 5 bps slippage on market orders, at most 10 % of a bar's volume.
      venue: { slippageModel: new FixedBpsSlippage(5), fillModel: { maxVolumeParticipation: 0.1 } },
    });
    let lowestBtcAfterFirstBuy = Infinity;
    let bars = 0;
    for (const bar of mergeBarStreams(sources)) {
      harness.feed(bar);
      bars++;
      if (harness.fills.length > 0) lowestBtcAfterFirstBuy = Math.min(lowestBtcAfterFirstBuy, harness.portfolio.balance('BTC').total.toNumber());
    }
    await harness.stop();

    expect(bars).toBe(sources[0]!.summary().bars + sources[1]!.summary().bars);
    expect(harness.barsSeen).toBe(bars);
    // Every order filled: nothing denied by the rules, nothing rejected for funds.
    expect(harness.intents.map((entry) => entry.order?.status)).toEqual(harness.intents.map(() => 'filled'));
    expect(harness.denials).toEqual([]);
    // The first step closes at 04:00 on 2024-01-01 and buys both pairs; later trades are rebalances.
    expect(harness.intents.slice(0, 2).map((entry) => [isoTime(entry.time), entry.intent.side, entry.intent.instrumentId])).toEqual([
      ['2024-01-01T04:00:00.000Z', 'buy', 'BTC/USD'],
      ['2024-01-01T04:00:00.000Z', 'buy', 'ETH/USD'],
    ]);
    expect(harness.intents.length).toBe(11);
    // The reserve binds: BTC is sold down to exactly 0.1 and never below.
    expect(lowestBtcAfterFirstBuy).toBe(0.1);
    // Every trade meets Kraken's minimums for its pair.
    for (const fill of harness.fills) {
      expect(checkOrderRules(krakenInstrument(fill.instrumentId), { quantity: fill.quantity, price: fill.price }), `${fill.instrumentId} ${fill.quantity.toFixed()}`).toBeUndefined();
    }
    // Cash accounting, exact: start − buys + sells − fees.
    let cash = new Decimal('10000');
    let fees = ZERO;
    for (const fill of harness.fills) {
      const notional = fill.quantity.times(fill.price);
      cash = fill.side === 'buy' ? cash.minus(notional) : cash.plus(notional);
      cash = cash.minus(fill.fee);
      fees = fees.plus(fill.fee);
    }
    expect(harness.portfolio.balance('USD').total.toFixed()).toBe(cash.toFixed());
    expect(fees.toFixed()).toBe('64.0828');
    expect(harness.portfolio.balance('BTC').total.toFixed()).toBe('0.1');
    expect(harness.portfolio.balance('ETH').total.toFixed()).toBe('1.78069896');
  });
});
