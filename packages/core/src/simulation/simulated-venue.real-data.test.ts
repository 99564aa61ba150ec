import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../clock/clock.js';
import type { ExecutionReportSink, VenueFill } from '../exchange/exchange.js';
import { Decimal } from '../model/decimal.js';
import { clientOrderId, strategyId } from '../model/ids.js';
import { defineInstrument } from '../model/instrument.js';
import type { Bar } from '../model/market-data.js';
import type { SubmitOrder } from '../model/order.js';
import { SimulatedVenue } from './simulated-venue.js';

const SHARED = process.env.KBOT_SHARED_DATA ?? '';
// Kraken's rules for BTC/USD (instrument snapshot, March 2024).
const BTC_USD = defineInstrument({ id: 'BTC/USD', venueSymbol: 'XBTUSD', pricePrecision: 1, quantityPrecision: 8, minQuantity: '0.0001', minCost: '0.5' });

function readBars(): Bar[] {
  const text = readFileSync(join(SHARED, 'ohlcv/kraken/q1-2023/XBTUSD_15.csv'), 'utf8');
  return text.trim().split('\n').map((line) => {
    const [time, open, high, low, close, volume] = line.split(',').map(Number) as [number, number, number, number, number, number];
    return { instrumentId: BTC_USD.id, interval: 15 * 60_000, openTime: time * 1000, open, high, low, close, volume };
  });
}

async function replay(bars: readonly Bar[]) {
  const clock = new TestClock(0);
  const venue = new SimulatedVenue({ instruments: () => BTC_USD, clock, balances: { USD: '20000', BTC: '0.5' } });
  const fills: VenueFill[] = [];
  const reasons = new Map<string, number>();
  const count = (reason: string) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  const sink: ExecutionReportSink = {
    onAccepted: () => count('accepted'),
    onRejected: (report) => count(report.reason),
    onFilled: (fill) => fills.push(fill),
    onCanceled: () => count('canceled'),
    onCancelRejected: () => count('cancel-rejected'),
    onExpired: () => count('expired'),
  };
  await venue.connect(sink);
  let sequence = 0;
  const submit = (order: Partial<SubmitOrder> & Pick<SubmitOrder, 'side' | 'type' | 'quantity'>) => {
    sequence += 1;
    venue.submit({
      clientOrderId: clientOrderId(`r${sequence}`), strategyId: strategyId('replay'), instrumentId: BTC_USD.id, price: undefined, triggerPrice: undefined,
      postOnly: false, reduceOnly: false, timeInForce: 'gtc', expireAt: undefined, tag: undefined, features: undefined, createdAt: clock.now(), ...order,
    });
  };
  let lowestAvailable = { USD: new Decimal(Infinity), BTC: new Decimal(Infinity) };
  for (const [index, bar] of bars.entries()) {
    clock.advanceTo(bar.openTime);
    venue.onBar(bar);
    clock.advanceTo(bar.openTime + bar.interval);
    const price = new Decimal(bar.close);
    // A busy, mixed order flow: market, resting limits on both sides, stops, take-profits, GTD and IOC.
    if (index % 4 === 0) submit({ side: index % 8 === 0 ? 'buy' : 'sell', type: 'market', quantity: new Decimal('0.0123') });
    if (index % 6 === 1) submit({ side: 'buy', type: 'limit', quantity: new Decimal('0.02'), price: price.times('0.997').toDecimalPlaces(1, Decimal.ROUND_DOWN), timeInForce: 'gtd', expireAt: clock.now() + 4 * 3_600_000 });
    if (index % 6 === 3) submit({ side: 'sell', type: 'limit', quantity: new Decimal('0.02'), price: price.times('1.003').toDecimalPlaces(1, Decimal.ROUND_UP), postOnly: true });
    if (index % 10 === 5) submit({ side: 'sell', type: 'stop-loss', quantity: new Decimal('0.01'), triggerPrice: price.times('0.99').toDecimalPlaces(1, Decimal.ROUND_DOWN) });
    if (index % 10 === 7) submit({ side: 'sell', type: 'take-profit', quantity: new Decimal('0.01'), triggerPrice: price.times('1.01').toDecimalPlaces(1, Decimal.ROUND_UP) });
    if (index % 12 === 9) submit({ side: 'buy', type: 'limit', quantity: new Decimal('0.05'), price: price.toDecimalPlaces(1), timeInForce: 'ioc' });
    for (const balance of venue.balances()) {
      if (balance.asset === 'USD' || balance.asset === 'BTC') {
        expect(balance.available.lessThanOrEqualTo(balance.total)).toBe(true);
        lowestAvailable = { ...lowestAvailable, [balance.asset]: Decimal.min(lowestAvailable[balance.asset], balance.available) };
      }
    }
  }
  return { venue, fills, reasons, lowestAvailable };
}

// Needs the real Kraken candles in ../shared/data (KBOT_SHARED_DATA); skipped where they are not present.
describe.skipIf(!SHARED)('SimulatedVenue over real Kraken 15-minute BTC/USD bars (Q1 2023)', () => {
  it('keeps balances consistent through thousands of mixed orders and replays identically', async () => {
    const all = readBars();
    expect(all).toHaveLength(8635);
    // The first 4,000 bars (1 January to 11 February 2023) keep the test quick; the rules are the same all quarter.
    const bars = all.slice(0, 4000);
    const first = await replay(bars);
    expect(first.fills.length).toBeGreaterThan(1000);
    expect(first.reasons.get('expired')).toBeGreaterThan(0);
    expect(first.lowestAvailable.USD.isNegative()).toBe(false);
    expect(first.lowestAvailable.BTC.isNegative()).toBe(false);
    for (const fill of first.fills) {
      expect(fill.price.decimalPlaces()).toBeLessThanOrEqual(1);
      expect(fill.fee.decimalPlaces()).toBeLessThanOrEqual(4);
      expect(fill.quantity.decimalPlaces()).toBeLessThanOrEqual(8);
    }
    // Totals equal the start plus every fill's cash flow, to the last decimal.
    let usd = new Decimal('20000');
    let btc = new Decimal('0.5');
    for (const fill of first.fills) {
      const cost = fill.quantity.times(fill.price);
      usd = fill.side === 'buy' ? usd.minus(cost).minus(fill.fee) : usd.plus(cost).minus(fill.fee);
      btc = fill.side === 'buy' ? btc.plus(fill.quantity) : btc.minus(fill.quantity);
    }
    const balances = Object.fromEntries(first.venue.balances().map((balance) => [balance.asset, balance]));
    expect(balances.USD!.total.toFixed()).toBe(usd.toFixed());
    expect(balances.BTC!.total.toFixed()).toBe(btc.toFixed());
    // The fee tier moved off Starter once 30-day volume passed 10,000.
    expect(new Set(first.fills.filter((fill) => fill.liquidity === 'taker').map((fill) => fill.fee.dividedBy(fill.quantity.times(fill.price)).toDecimalPlaces(4).toFixed())).size).toBeGreaterThan(1);

    const second = await replay(bars);
    expect(JSON.stringify(second.fills)).toBe(JSON.stringify(first.fills));
    expect([...second.reasons]).toEqual([...first.reasons]);
  });
});
