import { describe, expect, it } from 'vitest';
import { Decimal, ZERO, defineInstrument, type Instrument, type InstrumentId } from '@kbot/core';
import { krakenInstrument } from '@kbot/core/testing';
import { planRebalance, type RebalanceInput, type RebalancePairInput } from './rebalance-plan.js';

const BTC = krakenInstrument('BTC/USD');
const ETH = krakenInstrument('ETH/USD');

function pair(instrument: Instrument, target: number, baseBalance: string, price: string, baseReserve = '0'): RebalancePairInput {
  return { instrument, target, baseBalance: new Decimal(baseBalance), price: new Decimal(price), baseReserve: new Decimal(baseReserve) };
}

function plan(overrides: Partial<RebalanceInput> & Pick<RebalanceInput, 'pairs'>) {
  return planRebalance({
    quoteBalance: new Decimal('10000'),
    quoteBudget: new Decimal('10000'),
    select: 'threshold',
    driftThreshold: 0.05,
    maxFeeToBenefit: 0.25,
    ...overrides,
  });
}

/** action, quantity, skip of each line: what the tests compare. */
const summary = (result: ReturnType<typeof planRebalance>) =>
  result.lines.map((line) => [line.instrumentId, line.action, line.quantity.toFixed(), line.skip ?? null]);

describe('planRebalance', () => {
  it('from cash only: buys each pair up to its target share of equity', () => {
    const result = plan({ pairs: [pair(BTC, 0.5, '0', '40000'), pair(ETH, 0.3, '0', '2000')] });
    expect(result.equity.toFixed()).toBe('10000');
    // 5000 / 40000 = 0.125 BTC; 3000 / 2000 = 1.5 ETH.
    expect(summary(result)).toEqual([
      ['BTC/USD', 'buy', '0.125', null],
      ['ETH/USD', 'buy', '1.5', null],
    ]);
    expect(result.buys.map((line) => line.notional.toFixed())).toEqual(['5000', '3000']);
    expect(result.buys.map((line) => line.fee.toFixed())).toEqual(['20', '12']);
    expect(result.sells).toEqual([]);
  });

  it('threshold: trades only the pair drifted beyond it, back to its exact target', () => {
    // Equity 1968 + 0.125 × 50000 + 1.5 × 2000 = 11218. BTC weight 6250 / 11218 = 55.71 % (+5.71 points);
    // ETH 3000 / 11218 = 26.74 % (−3.26 points, inside the 5-point band).
    const result = plan({ quoteBalance: new Decimal('1968'), quoteBudget: new Decimal('1968'), pairs: [pair(BTC, 0.5, '0.125', '50000'), pair(ETH, 0.3, '1.5', '2000')] });
    expect(result.equity.toFixed()).toBe('11218');
    expect(result.lines[0]!.weight).toBeCloseTo(0.557140310215725, 12);
    expect(result.lines[1]!.drift).toBeCloseTo(-0.032572651096452, 12);
    // Sell 6250 − 5609 = 641 USD of BTC: 641 / 50000 = 0.01282.
    expect(summary(result)).toEqual([
      ['BTC/USD', 'sell', '0.01282', null],
      ['ETH/USD', 'hold', '0', 'within-threshold'],
    ]);
  });

  it('all (calendar): trades every pair off target, however little, subject to the fee rule', () => {
    const result = plan({ select: 'all', maxFeeToBenefit: 1000, quoteBalance: new Decimal('1968'), pairs: [pair(BTC, 0.5, '0.125', '50000'), pair(ETH, 0.3, '1.5', '2000')] });
    // ETH: 0.3 × 11218 − 3000 = 365.4 USD → 0.1827 ETH.
    expect(summary(result)).toEqual([
      ['BTC/USD', 'sell', '0.01282', null],
      ['ETH/USD', 'buy', '0.1827', null],
    ]);
  });

  it('a list (the buy leg): trades only the pairs named, whatever their drift', () => {
    const result = plan({ select: new Set(['ETH/USD' as InstrumentId]), maxFeeToBenefit: 1000, quoteBalance: new Decimal('1968'), pairs: [pair(BTC, 0.5, '0.125', '50000'), pair(ETH, 0.3, '1.5', '2000')] });
    expect(summary(result)).toEqual([
      ['BTC/USD', 'hold', '0', 'not-selected'],
      ['ETH/USD', 'buy', '0.1827', null],
    ]);
  });

  it('sells stop at the reserve; a pair already at its reserve is held', () => {
    // Equity 40000, all in BTC: the target sale is 0.5 BTC, but only 1 − 0.9 = 0.1 may go.
    const partly = plan({ quoteBalance: ZERO, quoteBudget: ZERO, pairs: [pair(BTC, 0.5, '1', '40000', '0.9')] });
    expect(summary(partly)).toEqual([['BTC/USD', 'sell', '0.1', null]]);
    const atReserve = plan({ quoteBalance: new Decimal('3984'), quoteBudget: new Decimal('3984'), pairs: [pair(BTC, 0.5, '0.9', '40000', '0.9')] });
    expect(summary(atReserve)).toEqual([['BTC/USD', 'hold', '0', 'reserve']]);
  });

  it('buys that need more than the budget all shrink by the same factor', () => {
    // 6000 + 4000 of buys reckoned at × 1.008 (twice the 0.40 % taker fee) = 10080 > 10000:
    // each is scaled by 10000 / 10080.
    const result = plan({ pairs: [pair(BTC, 0.6, '0', '40000'), pair(ETH, 0.4, '0', '2000')] });
    // 6000 × 10000 / 10080 / 40000 = 0.148809523… → 0.14880952; 4000 × … / 2000 = 1.984126984… → 1.98412698.
    expect(summary(result)).toEqual([
      ['BTC/USD', 'buy', '0.14880952', null],
      ['ETH/USD', 'buy', '1.98412698', null],
    ]);
    const spend = result.buys.reduce((total, line) => total.plus(line.notional.times(1.004)), ZERO);
    expect(spend.lessThanOrEqualTo(10000)).toBe(true);
  });

  it('a pair with a stale price is neither bought nor sold, still counts in equity, and takes none of the budget', () => {
    // The same two buys as above, but BTC's price is stale: ETH alone buys its 4,000 (× 1.008 fits the 10,000).
    const buying = plan({ pairs: [{ ...pair(BTC, 0.6, '0', '40000'), priceStale: true }, pair(ETH, 0.4, '0', '2000')] });
    expect(summary(buying)).toEqual([['BTC/USD', 'hold', '0', 'stale-price'], ['ETH/USD', 'buy', '2', null]]);
    // 0.25 BTC at 40,000 = 10,000 of 20,000 (+10 points over a 40 % target): not sold while stale.
    const selling = plan({ select: 'all', pairs: [{ ...pair(BTC, 0.4, '0.25', '40000'), priceStale: true }, pair(ETH, 0.4, '0', '2000')] });
    expect(selling.equity.toFixed()).toBe('20000');
    expect(summary(selling)).toEqual([['BTC/USD', 'hold', '0', 'stale-price'], ['ETH/USD', 'buy', '4', null]]);
  });

  it('no budget: underweight pairs are held', () => {
    const result = plan({ quoteBudget: ZERO, pairs: [pair(BTC, 0.5, '0', '40000')] });
    expect(summary(result)).toEqual([['BTC/USD', 'hold', '0', 'no-budget']]);
  });

  it('skips trades below the minimum quantity or the minimum cost', () => {
    // ETH: 0.0001 × 10000 = 1 USD → 0.0005 ETH, below Kraken's 0.002 ETH minimum.
    // `all`, so the tiny drift is selected; a large maxFeeToBenefit keeps the fee rule out of the way.
    const quantity = plan({ select: 'all', maxFeeToBenefit: 1e6, pairs: [pair(BTC, 0.5, '0', '40000'), pair(ETH, 0.0001, '0', '2000')] });
    expect(summary(quantity)).toEqual([
      ['BTC/USD', 'buy', '0.125', null],
      ['ETH/USD', 'hold', '0', 'below-minimum-quantity'],
    ]);
    // A pair whose minimum cost is 25 USD: 0.002 × 10000 = 20 USD of it is too little.
    const costly = defineInstrument({ id: 'ABC/USD', pricePrecision: 2, quantityPrecision: 2, minQuantity: '0.01', minCost: '25', takerFee: '0.004' });
    const cost = plan({ select: 'all', maxFeeToBenefit: 1e6, pairs: [pair(costly, 0.002, '0', '10')] });
    expect(summary(cost)).toEqual([['ABC/USD', 'hold', '0', 'below-minimum-cost']]);
  });

  it('rounds quantities down to the lot before checking the minimums', () => {
    const lot = defineInstrument({ id: 'ABC/USD', pricePrecision: 2, quantityPrecision: 0, minQuantity: '1', minCost: '0', takerFee: '0.004' });
    // 0.5 × 10000 / 3 = 1666.66… → 1666 units.
    expect(summary(plan({ pairs: [pair(lot, 0.5, '0', '3')] }))).toEqual([['ABC/USD', 'buy', '1666', null]]);
  });

  it('the fee rule: skips a trade whose fee exceeds maxFeeToBenefit × equity × drift²', () => {
    // Equity 10000, BTC at 51 % (+1 point): the sale is 100 USD, its fee 0.40 USD; benefit
    // 10000 × 0.01² = 1 USD. With 0.25 the limit is 0.25 USD: skipped. With 0.5 it is 0.50: traded.
    const input = { select: 'all' as const, quoteBalance: new Decimal('4900'), pairs: [pair(BTC, 0.5, '0.1275', '40000')] };
    const skipped = plan({ ...input, maxFeeToBenefit: 0.25 });
    expect(skipped.lines[0]!.benefit.toNumber()).toBeCloseTo(1, 9);
    expect(summary(skipped)).toEqual([['BTC/USD', 'hold', '0', 'fee-exceeds-benefit']]);
    expect(summary(plan({ ...input, maxFeeToBenefit: 0.5 }))).toEqual([['BTC/USD', 'sell', '0.0025', null]]);
  });

  it('a drift of exactly the threshold is held, whatever the float error of the target (0.55 − 0.5 > 0.05 in floats)', () => {
    // Equity 10000: BTC 0.11 × 50000 = 5500 (weight 0.55, target 0.5); ETH 1 × 3000 (0.3, target 0.35).
    const exact = plan({ quoteBalance: new Decimal('1500'), pairs: [pair(BTC, 0.5, '0.11', '50000'), pair(ETH, 0.35, '1', '3000')] });
    expect(exact.equity.toFixed()).toBe('10000');
    expect(summary(exact).map(([, action]) => action)).toEqual(['hold', 'hold']);
    // One dollar more off target trades.
    const over = plan({ quoteBalance: new Decimal('1499'), pairs: [pair(BTC, 0.5, '0.11', '50000'), pair(ETH, 0.3, '1', '3000')] });
    expect(summary(over)[0]![1]).toBe('sell');
  });

  it('a pair exactly on target is held', () => {
    const result = plan({ select: 'all', quoteBalance: new Decimal('5000'), pairs: [pair(BTC, 0.5, '0.125', '40000')] });
    expect(summary(result)).toEqual([['BTC/USD', 'hold', '0', 'on-target']]);
  });
});
