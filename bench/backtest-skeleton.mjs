// The issue's reference point for the backtest target: "a skeleton with an eventemitter3 bus and
// number indicators reached 0.13×". It is measured here in the same run as the engine, so the
// engine's ratio can be read against what the thinnest design on this machine reaches.
//
// The skeleton: one Bar object per bar from the same replay as the engine, each emitted on an
// eventemitter3 bus to one listener that runs the library's EMA, EMA and RSI and EmaRsiTrend's
// decision. With `trade: true` it also trades as the strategy would, with the least Decimal money
// an order needs (sizing from the balance, a fill at the next bar's open with 5 bps slippage,
// Kraken's fee tier, the balances and the position's average price), using kbot's fast Decimal
// helpers. It has no risk checks, no order states or events, no partial fills, no equity curve and
// no report: it is a lower bound, not a second engine.
import { createRequire } from 'node:module';
import {
  Decimal,
  decimalDividedBy,
  decimalFromNumber,
  decimalLessThan,
  decimalMinus,
  decimalPlus,
  decimalTimes,
  decimalToNumber,
  decimalToPlaces,
} from '@kbot/core';
import { EMA, RSI } from '@kbot/strategies';
import { STRATEGY_PARAMS } from './backtest-fixture.mjs';

// eventemitter3 is @kbot/core's own bus library, resolved from core so the version is the engine's.
const EventEmitter = createRequire(import.meta.resolve('@kbot/core'))('eventemitter3');

const ENTRY_RSI_BELOW = 70;
const EXIT_RSI_ABOVE = 80;
const STOP_FACTOR = 0.95;
const SLIPPAGE = 0.0005;
/** EmaRsiTrend's default allocation, less two taker fees at Kraken's first tier (as it sizes). */
const SPEND_SHARE = new Decimal('0.5').times(new Decimal(1).minus(new Decimal('0.004').times(2)));
/** Kraken's BTC/USD minimums: 0.0001 BTC and 0.5 USD. */
const MIN_QUANTITY = new Decimal('0.0001');
const MIN_COST = new Decimal('0.5');
const LOT = new Decimal('0.00000001');
/** Kraken's taker tiers by 30-day USD volume (as the simulated venue's default fee model). */
const TAKER_TIERS = [
  [10_000_000, '0.0010'], [5_000_000, '0.0012'], [2_500_000, '0.0014'], [1_000_000, '0.0016'], [500_000, '0.0018'],
  [250_000, '0.0020'], [100_000, '0.0022'], [50_000, '0.0024'], [10_000, '0.0035'], [0, '0.0040'],
].map(([volume, rate]) => [volume, new Decimal(rate)]);
const THIRTY_DAYS_MS = 30 * 86_400_000;

function takerRate(volume) {
  for (const [minimum, rate] of TAKER_TIERS) if (volume >= minimum) return rate;
  return TAKER_TIERS[TAKER_TIERS.length - 1][1];
}

/** One skeleton run over `bars` (a replaySource); returns what it did, so a run cannot be optimised away. */
export function runSkeleton(bars, { trade = false } = {}) {
  const bus = new EventEmitter();
  const fast = new EMA(STRATEGY_PARAMS.fastPeriod);
  const slow = new EMA(STRATEGY_PARAMS.slowPeriod);
  const rsi = new RSI(STRATEGY_PARAMS.rsiPeriod);
  let previousSpread = 0;
  let hasPrevious = false;
  let entryPrice = 0;
  let pendingSide = 0; // 1 buy, -1 sell, 0 none
  let pendingQuantity = undefined;
  let quote = new Decimal(10_000);
  let base = new Decimal(0);
  let averagePrice = new Decimal(0);
  let realized = new Decimal(0);
  let fees = new Decimal(0);
  // The 30-day volume, approximated by halving it every 30 days (numbers: it only picks a tier).
  let volume = 0;
  let volumeWindow = -1;
  let orders = 0;
  bus.on('bar', (bar) => {
    if (pendingSide !== 0) {
      const price = decimalToPlaces(decimalFromNumber(bar.open * (1 + pendingSide * SLIPPAGE)), 1, Decimal.ROUND_HALF_EVEN);
      const quantity = pendingQuantity;
      const cost = decimalTimes(quantity, price);
      const window = Math.floor(bar.openTime / THIRTY_DAYS_MS);
      if (window !== volumeWindow) {
        volume /= 2;
        volumeWindow = window;
      }
      volume += decimalToNumber(cost);
      const fee = decimalToPlaces(decimalTimes(cost, takerRate(volume)), 8, Decimal.ROUND_HALF_EVEN);
      fees = decimalPlus(fees, fee);
      if (pendingSide === 1) {
        quote = decimalMinus(decimalMinus(quote, cost), fee);
        averagePrice = decimalDividedBy(decimalPlus(decimalTimes(base, averagePrice), cost), decimalPlus(base, quantity));
        base = decimalPlus(base, quantity);
        entryPrice = decimalToNumber(price);
      } else {
        quote = decimalMinus(decimalPlus(quote, cost), fee);
        realized = decimalPlus(realized, decimalTimes(decimalMinus(price, averagePrice), quantity));
        base = decimalMinus(base, quantity);
        entryPrice = 0;
      }
      pendingSide = 0;
    }
    const close = bar.close;
    const f = fast.add(close);
    const s = slow.add(close);
    const r = rsi.add(close);
    if (f === undefined || s === undefined || r === undefined) return;
    const spread = f - s;
    const previous = previousSpread;
    const had = hasPrevious;
    previousSpread = spread;
    hasPrevious = true;
    if (!had || !trade || pendingSide !== 0) return;
    const entry = previous <= 0 && spread > 0 && r < ENTRY_RSI_BELOW;
    const exit = (previous >= 0 && spread < 0) || r >= EXIT_RSI_ABOVE || (entryPrice > 0 && close <= entryPrice * STOP_FACTOR);
    if (!entry && !exit) return;
    if (base.isZero()) {
      if (!entry) return;
      const spend = decimalTimes(quote, SPEND_SHARE);
      // spend ÷ close rounded down to the lot, without a long Decimal division: the quotient in
      // numbers, then checked exactly and stepped down one lot when it costs more than `spend`.
      let quantity = decimalFromNumber(Math.floor((decimalToNumber(spend) / close) * 1e8) / 1e8);
      if (decimalLessThan(spend, decimalTimes(quantity, decimalFromNumber(close)))) quantity = decimalMinus(quantity, LOT);
      if (decimalLessThan(quantity, MIN_QUANTITY) || decimalLessThan(spend, MIN_COST)) return;
      pendingQuantity = quantity;
      pendingSide = 1;
      orders++;
    } else if (exit) {
      pendingQuantity = base;
      pendingSide = -1;
      orders++;
    }
  });
  for (const bar of bars) bus.emit('bar', bar);
  return { orders, quote: quote.toString(), base: base.toString(), realized: realized.toString(), fees: fees.toString() };
}
