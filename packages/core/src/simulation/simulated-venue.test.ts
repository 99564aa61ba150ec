import { describe, expect, it } from 'vitest';
import { TestClock } from '../clock/clock.js';
import { ConfigError, InvariantError } from '../errors/errors.js';
import type { ExecutionReportSink, VenueFill } from '../exchange/exchange.js';
import { Decimal } from '../model/decimal.js';
import { clientOrderId, instrumentId, strategyId, venueOrderId, type InstrumentId } from '../model/ids.js';
import { defineInstrument, type Instrument } from '../model/instrument.js';
import type { Bar, BookView, Quote, Trade } from '../model/market-data.js';
import type { SubmitOrder } from '../model/order.js';
import { DAY_MS, MINUTE_MS } from '../model/time.js';
import { FixedFeeModel, InstrumentFeeModel } from './fee-model.js';
import { SimulatedVenue, type SimulatedVenueOptions } from './simulated-venue.js';
import { FixedBpsSlippage, NoSlippage } from './slippage-model.js';

// ---------------------------------------------------------------------------------- fixtures

const BTC_USD = defineInstrument({ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, minQuantity: '0.0001', minCost: '0.5' });
/** A coarser tick than its precision, for the tick-size rule. */
const ETH_USD = defineInstrument({ id: 'ETH/USD', pricePrecision: 2, quantityPrecision: 8, priceIncrement: '0.05', minQuantity: '0.002', minCost: '0.5' });
const INSTRUMENTS = new Map<string, Instrument>([[BTC_USD.id, BTC_USD], [ETH_USD.id, ETH_USD]]);

type Report =
  | { kind: 'accepted'; clientOrderId: string; venueOrderId: string; time: number }
  | { kind: 'rejected'; clientOrderId: string; reason: string; time: number }
  | { kind: 'filled'; fill: VenueFill }
  | { kind: 'canceled'; clientOrderId: string; time: number; reason?: string }
  | { kind: 'cancel-rejected'; clientOrderId: string; reason: string; time: number }
  | { kind: 'expired'; clientOrderId: string; time: number };

class RecordingSink implements ExecutionReportSink {
  readonly reports: Report[] = [];
  onAccepted(report: { clientOrderId: string; venueOrderId: string; time: number }): void {
    this.reports.push({ kind: 'accepted', ...report });
  }
  onRejected(report: { clientOrderId: string; reason: string; time: number }): void {
    this.reports.push({ kind: 'rejected', ...report });
  }
  onFilled(fill: VenueFill): void {
    this.reports.push({ kind: 'filled', fill });
  }
  onCanceled(report: { clientOrderId: string; time: number; reason?: string }): void {
    this.reports.push({ kind: 'canceled', ...report });
  }
  onCancelRejected(report: { clientOrderId: string; reason: string; time: number }): void {
    this.reports.push({ kind: 'cancel-rejected', ...report });
  }
  onExpired(report: { clientOrderId: string; time: number }): void {
    this.reports.push({ kind: 'expired', ...report });
  }

  fills(): VenueFill[] {
    return this.reports.flatMap((report) => (report.kind === 'filled' ? [report.fill] : []));
  }

  /** Fills as plain text, so expectations read as numbers. */
  fillSummary(): { id: string; quantity: string; price: string; fee: string; liquidity: string; time: number }[] {
    return this.fills().map((fill) => ({
      id: fill.clientOrderId,
      quantity: fill.quantity.toFixed(),
      price: fill.price.toFixed(),
      fee: fill.fee.toFixed(),
      liquidity: fill.liquidity,
      time: fill.time,
    }));
  }

  last(): Report | undefined {
    return this.reports[this.reports.length - 1];
  }
}

interface Harness {
  venue: SimulatedVenue;
  sink: RecordingSink;
  clock: TestClock;
  /** Feeds a bar the way the engine does: clock at its open while the venue sees it, then at its close. */
  bar(minute: number, open: number, high: number, low: number, close: number, volume?: number, instrument?: InstrumentId): void;
  trade(time: number, price: number, quantity?: number): void;
  quote(time: number, bid: number, ask: number, bidSize?: number, askSize?: number): void;
  /** Submits at the clock's time; returns the client order id. */
  submit(order: Partial<Omit<SubmitOrder, 'quantity' | 'price' | 'triggerPrice'>> & { quantity?: string; price?: string; triggerPrice?: string }): string;
  cancel(id: string): void;
  balance(asset: string): { total: string; available: string };
}

let orderCounter = 0;

async function harness(overrides: Partial<SimulatedVenueOptions> = {}): Promise<Harness> {
  const clock = new TestClock(0);
  const sink = new RecordingSink();
  const venue = new SimulatedVenue({
    instruments: (id) => INSTRUMENTS.get(id),
    clock,
    balances: { USD: '10000' },
    slippageModel: new NoSlippage(),
    fillModel: { maxVolumeParticipation: 1 },
    ...overrides,
  });
  await venue.connect(sink);
  orderCounter = 0;
  return {
    venue,
    sink,
    clock,
    bar(minute, open, high, low, close, volume = 1000, instrument = BTC_USD.id) {
      const value: Bar = { instrumentId: instrument, interval: MINUTE_MS, openTime: minute * MINUTE_MS, open, high, low, close, volume };
      clock.advanceTo(value.openTime);
      venue.onBar(value);
      clock.advanceTo(value.openTime + value.interval);
    },
    trade(time, price, quantity = 1000) {
      const value: Trade = { instrumentId: BTC_USD.id, time, price, quantity, side: undefined };
      clock.advanceTo(time);
      venue.onTrade(value);
    },
    quote(time, bid, ask, bidSize = 1000, askSize = 1000) {
      const value: Quote = { instrumentId: BTC_USD.id, time, bid, bidSize, ask, askSize };
      clock.advanceTo(time);
      venue.onQuote(value);
    },
    submit(order) {
      orderCounter += 1;
      const id = order.clientOrderId ?? `o${orderCounter}`;
      venue.submit({
        clientOrderId: clientOrderId(id),
        strategyId: strategyId('test'),
        instrumentId: BTC_USD.id,
        side: 'buy',
        type: 'market',
        postOnly: false,
        reduceOnly: false,
        timeInForce: 'gtc',
        expireAt: undefined,
        tag: undefined,
        features: undefined,
        createdAt: clock.now(),
        ...order,
        quantity: new Decimal(order.quantity ?? '0.01'),
        price: order.price === undefined ? undefined : new Decimal(order.price),
        triggerPrice: order.triggerPrice === undefined ? undefined : new Decimal(order.triggerPrice),
      } as SubmitOrder);
      return id;
    },
    cancel(id) {
      venue.cancel({ clientOrderId: clientOrderId(id), venueOrderId: undefined, instrumentId: BTC_USD.id, requestedAt: clock.now() });
    },
    balance(asset) {
      const found = venue.balances().find((balance) => balance.asset === asset);
      return { total: found?.total.toFixed() ?? '0', available: found?.available.toFixed() ?? '0' };
    },
  };
}

function rejection(h: Harness): string | undefined {
  const last = h.sink.last();
  return last?.kind === 'rejected' ? last.reason : undefined;
}

// ---------------------------------------------------------------------------------- look-ahead

describe('SimulatedVenue order time on a live feed (paper)', () => {
  // A live bar reaches the bot after it closed: the wall clock is already inside the next bar.
  const placeAfterBarArrived = async (orderTime: 'clock' | 'market-data') => {
    const h = await harness({ orderTime });
    h.bar(0, 100, 101, 99, 100);
    h.clock.advanceTo(MINUTE_MS + 800);
    const id = h.submit({ quantity: '1' });
    h.bar(1, 110, 111, 109, 110);
    h.bar(2, 120, 121, 119, 120);
    return h.sink.fillSummary().filter((fill) => fill.id === id);
  };

  it('market-data: an order placed on a bar fills on the next bar, as in a backtest', async () => {
    expect(await placeAfterBarArrived('market-data')).toEqual([expect.objectContaining({ price: '110', time: MINUTE_MS })]);
  });

  it('clock (the default): the same order waits for the first bar that opens after its wall-clock time', async () => {
    expect(await placeAfterBarArrived('clock')).toEqual([expect.objectContaining({ price: '120', time: 2 * MINUTE_MS })]);
  });

  it('market-data never lets an order fill on data the venue had already seen', async () => {
    const h = await harness({ orderTime: 'market-data' });
    h.bar(0, 100, 101, 99, 100);
    // The clock is behind the data (a venue fed ahead of time): the order's own time still rules.
    const id = h.submit({ quantity: '1', createdAt: 0 });
    h.bar(1, 110, 111, 109, 110);
    expect(h.sink.fillSummary().filter((fill) => fill.id === id)).toEqual([expect.objectContaining({ price: '110' })]);
  });
});


describe('SimulatedVenue: no look-ahead', () => {
  it('fills a market order placed on bar N\'s close at bar N+1\'s open, never at bar N\'s close', async () => {
    const h = await harness();
    h.bar(0, 100, 110, 90, 105);
    // The strategy sees bar 0 at its close (minute 1) and buys.
    expect(h.clock.now()).toBe(MINUTE_MS);
    const id = h.submit({ side: 'buy', type: 'market', quantity: '1' });
    expect(h.sink.fills()).toEqual([]);
    h.bar(1, 106, 108, 104, 107);
    expect(h.sink.fillSummary()).toEqual([{ id, quantity: '1', price: '106', fee: '0.424', liquidity: 'taker', time: MINUTE_MS }]);
  });

  it('does not match a bar that started before the order, even if it arrives after it', async () => {
    const h = await harness();
    h.bar(0, 100, 110, 90, 105);
    h.clock.advanceTo(90_000);
    h.submit({ side: 'buy', type: 'market', quantity: '1' });
    // A bar from minute 1 (60 s – 120 s) began before the order (90 s): its open is in the order's past.
    h.bar(1, 106, 108, 104, 107);
    expect(h.sink.fills()).toEqual([]);
    h.bar(2, 108, 109, 107, 108);
    expect(h.sink.fillSummary().map((fill) => fill.price)).toEqual(['108']);
  });

  it('does not fill an order placed while the venue processes a bar on that same bar', async () => {
    const h = await harness();
    h.bar(0, 100, 110, 90, 105);
    h.submit({ clientOrderId: clientOrderId('entry'), side: 'buy', type: 'market', quantity: '1' });
    // A strategy that places a take-profit the moment its entry fills (engine clock: bar 1's open).
    const original = h.sink.onFilled.bind(h.sink);
    h.sink.onFilled = (fill) => {
      original(fill);
      if (fill.clientOrderId === 'entry') h.submit({ clientOrderId: clientOrderId('exit'), side: 'sell', type: 'limit', quantity: '1', price: '107' });
    };
    // Bar 1 trades up to 109 after the entry, but the exit was not at the venue when those prices happened.
    h.bar(1, 106, 109, 104, 106);
    expect(h.sink.fillSummary().map((fill) => fill.id)).toEqual(['entry']);
    h.bar(2, 106, 108, 105, 107);
    expect(h.sink.fillSummary().map((fill) => [fill.id, fill.price])).toEqual([['entry', '106'], ['exit', '107']]);
  });

  it('needs a trade strictly after the order: one stamped with the order\'s own millisecond is not used', async () => {
    const h = await harness();
    h.trade(1_000, 100);
    const id = h.submit({ side: 'buy', type: 'market', quantity: '1' });
    h.trade(1_000, 101);
    expect(h.sink.fills()).toEqual([]);
    h.trade(1_001, 102);
    expect(h.sink.fillSummary()).toEqual([{ id, quantity: '1', price: '102', fee: '0.408', liquidity: 'taker', time: 1_001 }]);
  });

  it('with latency, waits for the first bar opening after the order reached the venue', async () => {
    const h = await harness({ latencyMs: 250 });
    h.bar(0, 100, 110, 90, 105);
    h.submit({ side: 'buy', type: 'market', quantity: '1' });
    h.bar(1, 106, 108, 104, 107);
    expect(h.sink.fills()).toEqual([]);
    h.bar(2, 109, 110, 108, 109);
    expect(h.sink.fillSummary().map((fill) => [fill.price, fill.time])).toEqual([['109', 2 * MINUTE_MS]]);
  });

  it('does not match overlapping data twice: a 5-minute bar after its 1-minute bars is skipped', async () => {
    const h = await harness({ fillModel: { maxVolumeParticipation: 0.5 } });
    h.bar(0, 100, 100, 100, 100, 10);
    h.submit({ side: 'buy', type: 'market', quantity: '30' });
    for (let minute = 1; minute < 5; minute += 1) h.bar(minute, 100 + minute, 100 + minute, 100 + minute, 100 + minute, 10);
    expect(h.sink.fillSummary().map((fill) => fill.quantity)).toEqual(['5', '5', '5', '5']);
    // The 5-minute bar of minutes 0–4 arrives at its close: its volume was already offered minute by minute.
    h.venue.onBar({ instrumentId: BTC_USD.id, interval: 5 * MINUTE_MS, openTime: 0, open: 100, high: 104, low: 100, close: 104, volume: 1000 });
    expect(h.sink.fills()).toHaveLength(4);
    h.bar(5, 105, 105, 105, 105, 10);
    expect(h.sink.fillSummary().map((fill) => [fill.quantity, fill.price])).toEqual([['5', '101'], ['5', '102'], ['5', '103'], ['5', '104'], ['5', '105']]);
  });
});

describe('SimulatedVenue: several instruments', () => {
  it('keeps each instrument\'s last price and matched time apart, also while another one has resting orders', async () => {
    const h = await harness();
    h.bar(0, 100, 100, 100, 100);
    const resting = h.submit({ type: 'limit', price: '50', quantity: '0.01' });
    expect(h.sink.last()?.kind).toBe('accepted');
    h.bar(0, 2000, 2000, 2000, 2000, 1000, ETH_USD.id);
    h.bar(1, 2010, 2010, 2010, 2010, 1000, ETH_USD.id);
    // A 5-minute ETH bar from minute 0 overlaps what was matched: its close is not the last price.
    h.venue.onBar({ instrumentId: ETH_USD.id, interval: 5 * MINUTE_MS, openTime: 0, open: 2000, high: 2010, low: 1900, close: 1900, volume: 1000 });
    h.submit({ instrumentId: ETH_USD.id, type: 'limit', price: '2010', quantity: '0.01', postOnly: true });
    expect(rejection(h)).toBe('EGeneral:Invalid arguments:post_only');
    h.submit({ instrumentId: ETH_USD.id, type: 'limit', price: '2005', quantity: '0.01', postOnly: true });
    expect(h.sink.last()?.kind).toBe('accepted');
    // The BTC order did not see the ETH bars; the next BTC bar trades through its limit.
    expect(h.sink.fills()).toHaveLength(0);
    h.bar(1, 60, 60, 40, 45);
    expect(h.sink.fillSummary().map((fill) => [fill.id, fill.price])).toEqual([[resting, '50']]);
  });
});

// ---------------------------------------------------------------------------------- limit orders

describe('SimulatedVenue: limit orders', () => {
  it('fills a resting buy only when the low trades through the limit (default), as maker at the limit', async () => {
    const h = await harness();
    h.bar(0, 105, 106, 104, 105);
    const id = h.submit({ side: 'buy', type: 'limit', quantity: '1', price: '100' });
    h.bar(1, 104, 105, 100, 102); // touches 100: not proof that the order was reached in the queue
    expect(h.sink.fills()).toEqual([]);
    h.bar(2, 102, 103, 99.9, 101);
    expect(h.sink.fillSummary()).toEqual([{ id, quantity: '1', price: '100', fee: '0.25', liquidity: 'maker', time: 2 * MINUTE_MS }]);
  });

  it('fills on touch when limitFillOn is "touch"', async () => {
    const h = await harness({ limitFillOn: 'touch' });
    h.bar(0, 105, 106, 104, 105);
    h.submit({ side: 'buy', type: 'limit', quantity: '1', price: '100' });
    h.bar(1, 104, 105, 100, 102);
    expect(h.sink.fillSummary().map((fill) => [fill.price, fill.liquidity])).toEqual([['100', 'maker']]);
  });

  it('fills a resting sell when the high trades through the limit (through) or reaches it (touch)', async () => {
    for (const [rule, expected] of [['through', []], ['touch', [['110', 'maker']]]] as const) {
      const h = await harness({ limitFillOn: rule, balances: { BTC: '1' } });
      h.bar(0, 105, 106, 104, 105);
      h.submit({ side: 'sell', type: 'limit', quantity: '1', price: '110' });
      h.bar(1, 106, 110, 105, 109);
      expect(h.sink.fillSummary().map((fill) => [fill.price, fill.liquidity])).toEqual(expected);
    }
  });

  it('fills a resting order at its limit, not the better open, when the bar gaps through it', async () => {
    const h = await harness();
    h.bar(0, 105, 106, 104, 105);
    h.submit({ side: 'buy', type: 'limit', quantity: '1', price: '100' });
    h.bar(1, 95, 96, 94, 95);
    expect(h.sink.fillSummary().map((fill) => [fill.price, fill.liquidity])).toEqual([['100', 'maker']]);
  });

  it('takes liquidity at the next open when the limit crossed the market on arrival (price capped at the limit)', async () => {
    const h = await harness();
    h.bar(0, 105, 106, 104, 105);
    h.submit({ side: 'buy', type: 'limit', quantity: '1', price: '106' });
    h.bar(1, 104, 107, 103, 106);
    expect(h.sink.fillSummary().map((fill) => [fill.price, fill.liquidity, fill.fee])).toEqual([['104', 'taker', '0.416']]);
  });

  it('caps a marketable limit\'s slipped price at the limit', async () => {
    const h = await harness({ slippageModel: new FixedBpsSlippage(5, 100) });
    h.bar(0, 105, 106, 104, 105);
    h.submit({ side: 'buy', type: 'limit', quantity: '1', price: '105.5' });
    // 105 + 1% = 106.05 would exceed the limit.
    h.bar(1, 105, 107, 103, 106);
    expect(h.sink.fillSummary().map((fill) => fill.price)).toEqual(['105.5']);
  });

  it('lets a crossing limit rest when the next open has moved away, then fills it as maker', async () => {
    const h = await harness();
    h.bar(0, 105, 106, 104, 105);
    h.submit({ side: 'buy', type: 'limit', quantity: '1', price: '106' });
    h.bar(1, 107, 108, 105.5, 107);
    expect(h.sink.fillSummary().map((fill) => [fill.price, fill.liquidity])).toEqual([['106', 'maker']]);
  });

  it('rejects a post-only limit that would cross the last price', async () => {
    const h = await harness();
    h.bar(0, 105, 106, 104, 105);
    h.submit({ side: 'buy', type: 'limit', quantity: '1', price: '105', postOnly: true });
    expect(rejection(h)).toBe('EGeneral:Invalid arguments:post_only');
    h.submit({ side: 'buy', type: 'limit', quantity: '1', price: '104.9', postOnly: true });
    expect(h.sink.last()?.kind).toBe('accepted');
    expect(h.balance('USD').available).toBe('9894.6804'); // 10000 − 104.9 − 0.4196 taker-fee hold
  });

  it('rejects a post-only sell at or below the last price, with a configurable reason', async () => {
    const h = await harness({ balances: { BTC: '1' }, postOnlyRejectReason: 'EOrder:Post only order' });
    h.bar(0, 105, 106, 104, 105);
    h.submit({ side: 'sell', type: 'limit', quantity: '1', price: '105', postOnly: true });
    expect(rejection(h)).toBe('EOrder:Post only order');
  });

  it('cancels a post-only order that reaches a market it would cross before any price was known', async () => {
    const h = await harness();
    const id = h.submit({ side: 'buy', type: 'limit', quantity: '1', price: '100', postOnly: true });
    expect(h.sink.last()?.kind).toBe('accepted');
    h.bar(0, 99, 101, 98, 100);
    expect(h.sink.fills()).toEqual([]);
    expect(h.sink.last()).toEqual({ kind: 'canceled', clientOrderId: id, time: 0, reason: 'EGeneral:Invalid arguments:post_only' });
    expect(h.balance('USD')).toEqual({ total: '10000', available: '10000' });
  });

  it('fills an immediate-or-cancel limit at the next open as far as volume allows and cancels the rest', async () => {
    const h = await harness({ fillModel: { maxVolumeParticipation: 0.1 } });
    h.bar(0, 105, 106, 104, 105);
    const id = h.submit({ side: 'buy', type: 'limit', quantity: '2', price: '106', timeInForce: 'ioc' });
    h.bar(1, 105, 106, 104, 105, 5);
    expect(h.sink.fillSummary().map((fill) => [fill.quantity, fill.price])).toEqual([['0.5', '105']]);
    expect(h.sink.last()).toEqual({ kind: 'canceled', clientOrderId: id, time: MINUTE_MS, reason: 'Immediate or cancel: unfilled remainder canceled' });
    // The hold of the canceled 1.5 is released: 10000 − 52.5 − 0.21 fee.
    expect(h.balance('USD')).toEqual({ total: '9947.29', available: '9947.29' });
  });

  it('cancels an immediate-or-cancel limit that the next open does not reach, without resting it', async () => {
    const h = await harness();
    h.bar(0, 105, 106, 104, 105);
    const id = h.submit({ side: 'buy', type: 'limit', quantity: '1', price: '100', timeInForce: 'ioc' });
    h.bar(1, 101, 102, 95, 96); // trades through 100 later in the bar, but an IOC order is gone by then
    expect(h.sink.fills()).toEqual([]);
    expect(h.sink.last()).toMatchObject({ kind: 'canceled', clientOrderId: id });
  });
});

// ---------------------------------------------------------------------------------- trigger orders

describe('SimulatedVenue: stop-loss and take-profit', () => {
  // Last price 100 before the order. Each row: order, bar after it, expected fill price ('' = none).
  const cases: [string, 'buy' | 'sell', 'stop-loss' | 'take-profit', string, [number, number, number, number], string][] = [
    ['stop-loss sell fires at the trigger when the low reaches it', 'sell', 'stop-loss', '95', [100, 101, 94, 96], '95'],
    ['stop-loss sell fires on touch', 'sell', 'stop-loss', '95', [100, 101, 95, 96], '95'],
    ['stop-loss sell does not fire above the trigger', 'sell', 'stop-loss', '95', [100, 101, 95.1, 96], ''],
    ['stop-loss sell gapping down fills at the worse open', 'sell', 'stop-loss', '95', [90, 92, 89, 91], '90'],
    ['stop-loss buy fires at the trigger when the high reaches it', 'buy', 'stop-loss', '105', [100, 106, 99, 104], '105'],
    ['stop-loss buy gapping up fills at the worse open', 'buy', 'stop-loss', '105', [108, 109, 107, 108], '108'],
    ['take-profit sell fires at the trigger when the high reaches it', 'sell', 'take-profit', '105', [100, 106, 99, 104], '105'],
    ['take-profit sell gapping up fills at the better open', 'sell', 'take-profit', '105', [108, 109, 107, 108], '108'],
    ['take-profit sell does not fire below the trigger', 'sell', 'take-profit', '105', [100, 104.9, 99, 104], ''],
    ['take-profit buy fires at the trigger when the low reaches it', 'buy', 'take-profit', '95', [100, 101, 94, 96], '95'],
    ['take-profit buy gapping down fills at the better open', 'buy', 'take-profit', '95', [90, 92, 89, 91], '90'],
  ];

  it.each(cases)('%s', async (_name, side, type, trigger, [open, high, low, close], expected) => {
    const h = await harness({ balances: { USD: '10000', BTC: '1' } });
    h.bar(0, 100, 100, 100, 100);
    const id = h.submit({ side, type, quantity: '1', triggerPrice: trigger });
    expect(h.sink.last()?.kind).toBe('accepted');
    h.bar(1, open, high, low, close);
    const fills = h.sink.fillSummary();
    if (expected === '') {
      expect(fills).toEqual([]);
    } else {
      expect(fills.map((fill) => [fill.id, fill.price, fill.liquidity])).toEqual([[id, expected, 'taker']]);
    }
  });

  it('applies slippage to triggered fills, rounded to the tick against the trader', async () => {
    const h = await harness({ balances: { BTC: '1', USD: '10000' }, slippageModel: new FixedBpsSlippage(5) });
    h.bar(0, 100, 100, 100, 100);
    h.submit({ side: 'sell', type: 'stop-loss', quantity: '1', triggerPrice: '95' });
    h.submit({ side: 'buy', type: 'stop-loss', quantity: '1', triggerPrice: '100.5' });
    h.bar(1, 100, 101, 94, 96);
    // 95 × 0.9995 = 94.9525 → 94.9 (down, for the seller); 100.5 × 1.0005 = 100.55025 → 100.6 (up, for the buyer).
    expect(h.sink.fillSummary().map((fill) => fill.price)).toEqual(['94.9', '100.6']);
  });

  it('keeps filling a triggered order at later opens when volume runs short', async () => {
    const h = await harness({ balances: { BTC: '1' }, fillModel: { maxVolumeParticipation: 0.1 } });
    h.bar(0, 100, 100, 100, 100);
    h.submit({ side: 'sell', type: 'stop-loss', quantity: '1', triggerPrice: '95' });
    h.bar(1, 100, 101, 94, 96, 6);
    h.bar(2, 93, 97, 92, 96, 6);
    h.bar(3, 96, 97, 95, 96, 100);
    expect(h.sink.fillSummary().map((fill) => [fill.quantity, fill.price])).toEqual([['0.6', '95'], ['0.4', '93']]);
  });
});

// ---------------------------------------------------------------------------------- volume

describe('SimulatedVenue: partial fills by volume', () => {
  it('takes at most maxVolumeParticipation of each bar and carries a market order on at later opens', async () => {
    const h = await harness({ fillModel: { maxVolumeParticipation: 0.1 } });
    h.bar(0, 100, 100, 100, 100);
    const id = h.submit({ side: 'buy', type: 'market', quantity: '0.012' });
    h.bar(1, 101, 101, 101, 101, 0.05);
    h.bar(2, 102, 102, 102, 102, 0.05);
    h.bar(3, 103, 103, 103, 103, 0.05);
    h.bar(4, 104, 104, 104, 104, 0.05);
    expect(h.sink.fillSummary().map((fill) => [fill.id, fill.quantity, fill.price])).toEqual([
      [id, '0.005', '101'],
      [id, '0.005', '102'],
      [id, '0.002', '103'],
    ]);
  });

  it('rounds the share down to the lot and emits nothing below one lot', async () => {
    const h = await harness({ fillModel: { maxVolumeParticipation: 0.1 } });
    h.bar(0, 100, 100, 100, 100);
    h.submit({ side: 'buy', type: 'market', quantity: '0.01' });
    h.bar(1, 100, 100, 100, 100, 0.00000009); // 10% is 0.000000009: less than one 0.00000001 lot
    expect(h.sink.fills()).toEqual([]);
    h.bar(2, 100, 100, 100, 100, 0.00000123); // 10% is 0.000000123 → 0.00000012
    expect(h.sink.fillSummary().map((fill) => fill.quantity)).toEqual(['0.00000012']);
  });

  it('caps each fill at the same share of a public trade\'s quantity', async () => {
    const h = await harness({ fillModel: { maxVolumeParticipation: 0.1 } });
    h.trade(1_000, 100, 1);
    h.submit({ side: 'buy', type: 'market', quantity: '0.25' });
    h.trade(1_001, 100.5, 2);
    h.trade(1_002, 101, 0.3);
    expect(h.sink.fillSummary().map((fill) => [fill.quantity, fill.price])).toEqual([['0.2', '100.5'], ['0.03', '101']]);
  });

  it('fills everything at once when maxVolumeParticipation is 1', async () => {
    const h = await harness({ fillModel: { maxVolumeParticipation: 1 } });
    h.bar(0, 100, 100, 100, 100);
    h.submit({ side: 'buy', type: 'market', quantity: '5' });
    h.bar(1, 100, 100, 100, 100, 0.01);
    expect(h.sink.fillSummary().map((fill) => fill.quantity)).toEqual(['5']);
  });

  it('gives each open order its own share of a bar', async () => {
    const h = await harness({ fillModel: { maxVolumeParticipation: 0.5 } });
    h.bar(0, 100, 100, 100, 100);
    h.submit({ side: 'buy', type: 'market', quantity: '1' });
    h.submit({ side: 'buy', type: 'market', quantity: '1' });
    h.bar(1, 100, 100, 100, 100, 1);
    expect(h.sink.fillSummary().map((fill) => [fill.id, fill.quantity])).toEqual([['o1', '0.5'], ['o2', '0.5']]);
  });
});

// ---------------------------------------------------------------------------------- quotes and books

describe('SimulatedVenue: quotes', () => {
  it('fills market buys at the ask and sells at the bid, up to the displayed size', async () => {
    const h = await harness({ balances: { USD: '10000', BTC: '1' }, fillModel: { maxVolumeParticipation: 0.1 } });
    h.quote(1_000, 99, 101);
    h.submit({ side: 'buy', type: 'market', quantity: '0.5' });
    h.submit({ side: 'sell', type: 'market', quantity: '0.5' });
    h.quote(1_001, 99.5, 100.5, 0.2, 0.3);
    expect(h.sink.fillSummary().map((fill) => [fill.id, fill.quantity, fill.price])).toEqual([['o1', '0.3', '100.5'], ['o2', '0.2', '99.5']]);
  });

  it('fills a resting limit buy when the ask drops through it, as maker at the limit', async () => {
    const h = await harness();
    h.quote(1_000, 99, 101);
    h.submit({ side: 'buy', type: 'limit', quantity: '0.1', price: '100' });
    h.quote(1_001, 99, 100);
    expect(h.sink.fills()).toEqual([]);
    h.quote(1_002, 98.5, 99.5);
    expect(h.sink.fillSummary().map((fill) => [fill.price, fill.liquidity])).toEqual([['100', 'maker']]);
  });

  it('rejects a post-only buy at or above the ask', async () => {
    const h = await harness();
    h.quote(1_000, 99, 101);
    h.submit({ side: 'buy', type: 'limit', quantity: '0.1', price: '101', postOnly: true });
    expect(rejection(h)).toBe('EGeneral:Invalid arguments:post_only');
    h.submit({ side: 'buy', type: 'limit', quantity: '0.1', price: '100.9', postOnly: true });
    expect(h.sink.last()?.kind).toBe('accepted');
  });

  it('matches a book as its best bid and ask', async () => {
    const h = await harness();
    const book = (time: number, bid: number, ask: number): BookView => ({
      instrumentId: BTC_USD.id,
      time,
      bids: () => [{ price: bid, quantity: 5 }],
      asks: () => [{ price: ask, quantity: 5 }],
      bestBid: () => ({ price: bid, quantity: 5 }),
      bestAsk: () => ({ price: ask, quantity: 5 }),
    });
    h.venue.onBook(book(1_000, 99, 101));
    h.clock.advanceTo(1_000);
    h.submit({ side: 'buy', type: 'market', quantity: '0.1' });
    h.venue.onBook(book(1_001, 100, 102));
    expect(h.sink.fillSummary().map((fill) => fill.price)).toEqual(['102']);
  });
});

// ---------------------------------------------------------------------------------- validation

describe('SimulatedVenue: rejections carry Kraken\'s error strings', () => {
  it('rejects an unknown pair', async () => {
    const h = await harness();
    h.submit({ instrumentId: instrumentId('DOGE/USD'), type: 'limit', price: '0.1', quantity: '100' });
    expect(rejection(h)).toBe('EQuery:Unknown asset pair');
  });

  it('rejects a quantity below the pair minimum', async () => {
    const h = await harness();
    h.submit({ type: 'limit', price: '50000', quantity: '0.00009' });
    expect(rejection(h)).toBe('EOrder:Order minimum not met');
  });

  it('rejects a cost below the pair minimum, for limit and (from the last price) market orders', async () => {
    const h = await harness();
    h.submit({ type: 'limit', price: '4999.9', quantity: '0.0001' }); // 0.49999 < 0.5
    expect(rejection(h)).toBe('EOrder:Cost minimum not met');
    h.bar(0, 4000, 4000, 4000, 4000);
    h.submit({ type: 'market', quantity: '0.0001' }); // 0.4 at the last price
    expect(rejection(h)).toBe('EOrder:Cost minimum not met');
  });

  it('rejects a price with more decimals than the pair allows', async () => {
    const h = await harness();
    h.submit({ type: 'limit', price: '50000.25', quantity: '0.01' });
    expect(rejection(h)).toBe('EOrder:Invalid price:BTCUSD price can only be specified up to 1 decimals.');
  });

  it('rejects a price off the tick', async () => {
    const h = await harness();
    h.submit({ instrumentId: ETH_USD.id, type: 'limit', price: '2000.03', quantity: '0.01' });
    expect(rejection(h)).toBe('EOrder:Tick size check failed');
    h.submit({ instrumentId: ETH_USD.id, type: 'limit', price: '2000.05', quantity: '0.01' });
    expect(h.sink.last()?.kind).toBe('accepted');
  });

  it('rejects a trigger price off the tick', async () => {
    const h = await harness({ balances: { ETH: '1' } });
    h.submit({ instrumentId: ETH_USD.id, side: 'sell', type: 'stop-loss', triggerPrice: '1999.99', quantity: '0.01' });
    expect(rejection(h)).toBe('EOrder:Tick size check failed');
  });

  it('rejects a quantity finer than the lot', async () => {
    const h = await harness();
    h.submit({ type: 'limit', price: '50000', quantity: '0.010000001' });
    expect(rejection(h)).toBe('EGeneral:Invalid arguments:volume');
  });

  it('rejects a buy whose cost plus taker fee exceeds the available quote, to the last decimal', async () => {
    const h = await harness({ balances: { USD: '100.3999' } });
    h.submit({ type: 'limit', price: '10000', quantity: '0.01' }); // needs 100 + 0.4 fee
    expect(rejection(h)).toBe('EOrder:Insufficient funds');
    const enough = await harness({ balances: { USD: '100.4' } });
    enough.submit({ type: 'limit', price: '10000', quantity: '0.01' });
    expect(enough.sink.last()?.kind).toBe('accepted');
    expect(enough.balance('USD')).toEqual({ total: '100.4', available: '0' });
  });

  it('sizes a market buy\'s funds from the last price plus the slippage bound and the taker fee', async () => {
    // 0.01 × 10000 × 1.0005 = 100.05, plus 0.4002 fee = 100.4502.
    for (const [usd, kind] of [['100.4501', 'rejected'], ['100.4502', 'accepted']] as const) {
      const h = await harness({ balances: { USD: usd }, slippageModel: new FixedBpsSlippage(5) });
      h.bar(0, 10000, 10000, 10000, 10000);
      h.submit({ type: 'market', quantity: '0.01' });
      expect(h.sink.last()?.kind).toBe(kind);
      if (kind === 'rejected') expect(rejection(h)).toBe('EOrder:Insufficient funds');
    }
  });

  it('rejects a sell of more base than is available, counting what open sells hold', async () => {
    const h = await harness({ balances: { BTC: '0.01' } });
    h.submit({ side: 'sell', type: 'limit', price: '50000', quantity: '0.0101' });
    expect(rejection(h)).toBe('EOrder:Insufficient funds');
    h.submit({ side: 'sell', type: 'limit', price: '50000', quantity: '0.006' });
    expect(h.sink.last()?.kind).toBe('accepted');
    h.submit({ side: 'sell', type: 'limit', price: '50000', quantity: '0.0041' });
    expect(rejection(h)).toBe('EOrder:Insufficient funds');
    h.submit({ side: 'sell', type: 'limit', price: '50000', quantity: '0.004' });
    expect(h.sink.last()?.kind).toBe('accepted');
    expect(h.balance('BTC')).toEqual({ total: '0.01', available: '0' });
  });

  it('rejects a market buy before any price is known, and orders missing their price', async () => {
    const h = await harness();
    h.submit({ type: 'market', quantity: '0.01' });
    expect(rejection(h)).toBe('EService:Unavailable');
    h.submit({ type: 'limit', quantity: '0.01' });
    expect(rejection(h)).toBe('EGeneral:Invalid arguments:price');
    h.submit({ type: 'stop-loss', quantity: '0.01' });
    expect(rejection(h)).toBe('EGeneral:Invalid arguments:price');
    h.submit({ type: 'limit', price: '100', quantity: '0.01', timeInForce: 'gtd' });
    expect(rejection(h)).toBe('EGeneral:Invalid arguments:expiretm');
  });

  it('rejects a second order with a client order id it already knows', async () => {
    const h = await harness();
    h.submit({ clientOrderId: clientOrderId('same'), type: 'limit', price: '100', quantity: '0.01' });
    h.submit({ clientOrderId: clientOrderId('same'), type: 'limit', price: '100', quantity: '0.01' });
    expect(rejection(h)).toBe('EGeneral:Invalid arguments:cl_ord_id');
  });

  it('honours the pair status', async () => {
    const offline = defineInstrument({ id: 'XRP/USD', pricePrecision: 5, quantityPrecision: 8, status: 'cancel-only' });
    const postOnly = defineInstrument({ id: 'LTC/USD', pricePrecision: 2, quantityPrecision: 8, status: 'post-only' });
    const h = await harness({ instruments: (id) => (id === offline.id ? offline : id === postOnly.id ? postOnly : undefined) });
    h.submit({ instrumentId: offline.id, type: 'limit', price: '0.5', quantity: '10' });
    expect(rejection(h)).toBe('EService:Market in cancel_only mode');
    h.submit({ instrumentId: postOnly.id, type: 'limit', price: '50', quantity: '1' });
    expect(rejection(h)).toBe('EService:Market in post_only mode');
    h.submit({ instrumentId: postOnly.id, type: 'limit', price: '50', quantity: '1', postOnly: true });
    expect(h.sink.last()?.kind).toBe('accepted');
  });

  it('accepts with a Kraken-shaped, counter-based order id', async () => {
    const h = await harness({ idPrefix: 'SIM' });
    h.submit({ type: 'limit', price: '100', quantity: '0.01' });
    h.submit({ type: 'limit', price: '100', quantity: '0.01' });
    const ids = h.sink.reports.flatMap((report) => (report.kind === 'accepted' ? [report.venueOrderId] : []));
    expect(ids).toEqual(['OSIM00-00000-000001', 'OSIM00-00000-000002']);
    for (const id of ids) expect(id).toMatch(/^O[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{6}$/);
  });
});

// ---------------------------------------------------------------------------------- insufficient-funds figures

describe('SimulatedVenue: insufficient-funds texts with figures (explainInsufficientFunds)', () => {
  it('gives what a limit buy needs (cost plus the rounded-up fee reserve), what is available and what open orders hold', async () => {
    const h = await harness({ balances: { USD: '1000' }, explainInsufficientFunds: true });
    h.submit({ type: 'limit', price: '39000', quantity: '1' });
    expect(rejection(h)).toBe('EOrder:Insufficient funds: needs 39156 USD (1 BTC × 39000 limit + 156 USD fee reserve), 1000 USD available (0 held by open orders)');
    h.submit({ type: 'limit', price: '30000', quantity: '0.01' }); // holds 300 + 1.2
    expect(h.sink.last()?.kind).toBe('accepted');
    // 0.02 × 34900.1 = 698.002, fee 2.792008 rounded up to USD's 4 places.
    h.submit({ type: 'limit', price: '34900.1', quantity: '0.02' });
    expect(rejection(h)).toBe('EOrder:Insufficient funds: needs 700.7941 USD (0.02 BTC × 34900.1 limit + 2.7921 USD fee reserve), 698.8 USD available (301.2 held by open orders)');
  });

  it('gives the last price moved by slippage for a market buy, and the trigger for a trigger buy above the market', async () => {
    const h = await harness({ balances: { USD: '100.4501' }, slippageModel: new FixedBpsSlippage(5), explainInsufficientFunds: true });
    h.bar(0, 10000, 10000, 10000, 10000);
    h.submit({ type: 'market', quantity: '0.01' });
    expect(rejection(h)).toBe('EOrder:Insufficient funds: needs 100.4502 USD (0.01 BTC × 10005 last price with slippage + 0.4002 USD fee reserve), 100.4501 USD available (0 held by open orders)');
    h.submit({ type: 'stop-loss', triggerPrice: '12000', quantity: '0.01' });
    expect(rejection(h)).toBe('EOrder:Insufficient funds: needs 120.5403 USD (0.01 BTC × 12006 trigger price with slippage + 0.4803 USD fee reserve), 100.4501 USD available (0 held by open orders)');
  });

  it('gives the base a sell needs and what open sells hold', async () => {
    const h = await harness({ balances: { BTC: '0.2' }, explainInsufficientFunds: true });
    h.submit({ side: 'sell', type: 'take-profit', triggerPrice: '41650', quantity: '0.5' });
    expect(rejection(h)).toBe('EOrder:Insufficient funds: needs 0.5 BTC, 0.2 BTC available (0 held by open orders)');
    h.submit({ side: 'sell', type: 'limit', price: '50000', quantity: '0.15' });
    h.submit({ side: 'sell', type: 'market', quantity: '0.1' });
    expect(rejection(h)).toBe('EOrder:Insufficient funds: needs 0.1 BTC, 0.05 BTC available (0.15 held by open orders)');
  });

  it('gives the figures when a market buy meets a price its funds cannot pay and the rest is canceled', async () => {
    const h = await harness({ balances: { USD: '1000' }, feeModel: new FixedFeeModel(0, '0.001'), fillModel: { maxVolumeParticipation: 0.1 }, explainInsufficientFunds: true });
    h.bar(0, 100, 100, 100, 100);
    const id = h.submit({ type: 'market', quantity: '9' }); // holds 900 + 0.9
    h.bar(1, 100, 100, 100, 100, 50); // 5 at 100, fee 0.5: 500.5 paid, 400.4 still held, 99.1 free
    h.bar(2, 200, 200, 200, 200, 50); // the other 4 would cost 800 + 0.8
    expect(h.sink.fillSummary().map((fill) => [fill.quantity, fill.price])).toEqual([['5', '100'], ['2.49500499', '200']]);
    expect(h.sink.last()).toEqual({
      kind: 'canceled', clientOrderId: id, time: 2 * MINUTE_MS,
      reason: 'EOrder:Insufficient funds: needs 800.8 USD (4 BTC remaining × 200 fill price + 0.8 USD fee), 499.5 USD available (400.4 held by this order, 99.1 free)',
    });
  });

  it('keeps Kraken\'s exact text without the option (the Kraken simulator answers with it)', async () => {
    const h = await harness({ balances: { USD: '1000' } });
    h.submit({ type: 'limit', price: '39000', quantity: '1' });
    expect(rejection(h)).toBe('EOrder:Insufficient funds');
  });
});

// ---------------------------------------------------------------------------------- fees

describe('SimulatedVenue: fees', () => {
  it('moves to the next Kraken tier once 30-day volume passes 10,000 and back when it ages out', async () => {
    const h = await harness({ balances: { USD: '100000' } });
    const buyAt = (minute: number, quantity: string) => {
      h.bar(minute, 10000, 10000, 10000, 10000);
      h.submit({ type: 'market', quantity });
      h.bar(minute + 1, 10000, 10000, 10000, 10000);
    };
    buyAt(0, '0.9'); //   9,000 traded before it: 0 → 0.40%
    buyAt(10, '0.2'); //  2,000 with 9,000 before it: still 0.40% (the crossing fill pays the old rate)
    buyAt(20, '0.1'); //  1,000 with 11,000 before it: 0.35%
    // A resting buy after the crossing pays the 0.20% maker rate.
    h.submit({ type: 'limit', price: '9999', quantity: '0.1' });
    h.bar(22, 10000, 10000, 9990, 10000);
    // 30 days after the first fills the volume has aged out: back to 0.40%.
    buyAt(30 * 24 * 60 + 30, '0.1');
    expect(h.sink.fillSummary().map((fill) => [fill.quantity, fill.fee, fill.liquidity])).toEqual([
      ['0.9', '36', 'taker'],
      ['0.2', '8', 'taker'],
      ['0.1', '3.5', 'taker'],
      ['0.1', '1.9998', 'maker'],
      ['0.1', '4', 'taker'],
    ]);
    expect(h.venue.thirtyDayVolume(22 * MINUTE_MS).toFixed()).toBe('12999.9');
  });

  it('rounds the fee half up to the quote asset\'s 4 decimals', async () => {
    const h = await harness({ feeModel: new FixedFeeModel('0.001', '0.001') });
    h.bar(0, 10000, 10000, 10000, 10000);
    h.submit({ type: 'market', quantity: '0.001225' }); // cost 12.25, fee 0.01225 → 0.0123 (half-even would give 0.0122)
    h.bar(1, 10000, 10000, 10000, 10000);
    expect(h.sink.fillSummary().map((fill) => [fill.fee, h.sink.fills()[0]!.feeAsset])).toEqual([['0.0123', 'USD']]);
    expect(h.balance('USD').total).toBe('9987.7377');
  });

  it('can charge the instrument\'s own rates', async () => {
    const cheap = defineInstrument({ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, makerFee: '0.001', takerFee: '0.002' });
    const h = await harness({ instruments: () => cheap, feeModel: new InstrumentFeeModel() });
    h.bar(0, 10000, 10000, 10000, 10000);
    h.submit({ type: 'market', quantity: '0.1' });
    h.bar(1, 10000, 10000, 10000, 10000);
    expect(h.sink.fillSummary().map((fill) => fill.fee)).toEqual(['2']);
  });
});

// ---------------------------------------------------------------------------------- balances

describe('SimulatedVenue: balances', () => {
  it('tracks balances exactly through a buy, a maker sell and a triggered sell', async () => {
    const h = await harness({ slippageModel: new FixedBpsSlippage(5) });
    h.bar(0, 43000, 43300, 42900, 43210.5);
    h.submit({ type: 'market', quantity: '0.01235' });
    // 43210.5 × 1.0005 = 43232.10525 → 43232.2; cost 533.91767; fee 0.4% = 2.13567068 → 2.1357.
    h.bar(1, 43210.5, 44100, 43100, 44050);
    expect(h.balance('USD')).toEqual({ total: '9463.94663', available: '9463.94663' });
    expect(h.balance('BTC')).toEqual({ total: '0.01235', available: '0.01235' });

    h.submit({ side: 'sell', type: 'limit', quantity: '0.005', price: '44200' });
    h.submit({ side: 'sell', type: 'stop-loss', quantity: '0.00735', triggerPrice: '43500' });
    expect(h.balance('BTC')).toEqual({ total: '0.01235', available: '0' });
    // The limit sell trades through: 221 at 0.25% maker = 0.5525.
    h.bar(2, 44050, 44250, 43900, 44200);
    expect(h.balance('USD')).toEqual({ total: '9684.39413', available: '9684.39413' });
    expect(h.balance('BTC')).toEqual({ total: '0.00735', available: '0' });
    // The stop fires at 43500 − 5 bps = 43478.25 → 43478.2; 319.56477 at 0.4% = 1.27825908 → 1.2783.
    h.bar(3, 44000, 44010, 43400, 43450);
    expect(h.balance('USD')).toEqual({ total: '10002.6806', available: '10002.6806' });
    expect(h.balance('BTC')).toEqual({ total: '0', available: '0' });
    expect(h.sink.fillSummary().map((fill) => [fill.price, fill.fee])).toEqual([
      ['43232.2', '2.1357'],
      ['44200', '0.5525'],
      ['43478.2', '1.2783'],
    ]);
    expect(h.sink.fills().map((fill) => fill.side)).toEqual(['buy', 'sell', 'sell']);
  });

  it('holds funds for open orders and releases them as the order fills and is canceled', async () => {
    const h = await harness({ fillModel: { maxVolumeParticipation: 0.5 } });
    h.bar(0, 41000, 41000, 41000, 41000);
    const id = h.submit({ type: 'limit', quantity: '0.01', price: '40000' });
    // Held: 400 + 1.6 taker-fee reserve.
    expect(h.balance('USD')).toEqual({ total: '10000', available: '9598.4' });
    h.bar(1, 40500, 40600, 39900, 40100, 0.01); // half of the volume: 0.005 at 40000 maker
    expect(h.sink.fillSummary().map((fill) => [fill.quantity, fill.fee])).toEqual([['0.005', '0.5']]);
    // Total: 10000 − 200 − 0.5. Still held for the other 0.005: 200 + 0.8.
    expect(h.balance('USD')).toEqual({ total: '9799.5', available: '9598.7' });
    h.cancel(id);
    expect(h.sink.last()).toEqual({ kind: 'canceled', clientOrderId: id, time: 2 * MINUTE_MS });
    expect(h.balance('USD')).toEqual({ total: '9799.5', available: '9799.5' });
    expect(h.balance('BTC')).toEqual({ total: '0.005', available: '0.005' });
  });

  it('fills only what the account can pay when a market buy meets a higher price, and cancels the rest', async () => {
    const h = await harness({ balances: { USD: '1000' }, feeModel: new FixedFeeModel(0, 0), fillModel: { maxVolumeParticipation: 0.1 } });
    h.bar(0, 100, 100, 100, 100);
    const id = h.submit({ type: 'market', quantity: '10' });
    expect(h.balance('USD')).toEqual({ total: '1000', available: '0' });
    h.bar(1, 100, 100, 100, 100, 50); // 5 at 100
    h.bar(2, 200, 200, 200, 200, 50); // 5 more would cost 1000; 500 is left
    expect(h.sink.fillSummary().map((fill) => [fill.quantity, fill.price])).toEqual([['5', '100'], ['2.5', '200']]);
    expect(h.sink.last()).toEqual({ kind: 'canceled', clientOrderId: id, time: 2 * MINUTE_MS, reason: 'EOrder:Insufficient funds' });
    expect(h.balance('USD')).toEqual({ total: '0', available: '0' });
    expect(h.balance('BTC')).toEqual({ total: '7.5', available: '7.5' });
  });
});

// ---------------------------------------------------------------------------------- cancel and expiry

describe('SimulatedVenue: cancel and expiry', () => {
  it('cancels an open order once; a second cancel, a filled order or an unknown id is rejected', async () => {
    const h = await harness();
    h.bar(0, 100, 100, 100, 100);
    const open = h.submit({ type: 'limit', quantity: '1', price: '90' });
    const filled = h.submit({ type: 'market', quantity: '1' });
    h.bar(1, 100, 100, 100, 100);
    h.cancel(open);
    expect(h.sink.last()).toEqual({ kind: 'canceled', clientOrderId: open, time: 2 * MINUTE_MS });
    for (const id of [open, filled, 'never-sent']) {
      h.cancel(id);
      expect(h.sink.last()).toEqual({ kind: 'cancel-rejected', clientOrderId: id, reason: 'EOrder:Unknown order', time: 2 * MINUTE_MS });
    }
  });

  it('rejects a cancel whose venue order id does not match', async () => {
    const h = await harness();
    const id = h.submit({ type: 'limit', quantity: '1', price: '90' });
    h.venue.cancel({ clientOrderId: clientOrderId(id), venueOrderId: venueOrderId('OXXXXX-XXXXX-XXXXXX'), instrumentId: BTC_USD.id, requestedAt: 0 });
    expect(h.sink.last()).toMatchObject({ kind: 'cancel-rejected', reason: 'EOrder:Unknown order' });
  });

  it('expires a good-till-date order before data that ends after its expiry, releasing its hold', async () => {
    const h = await harness();
    h.bar(0, 100, 100, 100, 100);
    const id = h.submit({ type: 'limit', quantity: '1', price: '95', timeInForce: 'gtd', expireAt: 150_000 });
    h.bar(1, 100, 100, 96, 100); // 60 s – 120 s: alive, no fill
    expect(h.sink.last()?.kind).toBe('accepted');
    // 120 s – 180 s straddles the expiry: where in the bar the low happened is unknown, so no fill.
    h.bar(2, 100, 100, 90, 100);
    expect(h.sink.fills()).toEqual([]);
    expect(h.sink.last()).toEqual({ kind: 'expired', clientOrderId: id, time: 120_000 });
    expect(h.balance('USD')).toEqual({ total: '10000', available: '10000' });
    h.cancel(id);
    expect(h.sink.last()).toMatchObject({ kind: 'cancel-rejected', reason: 'EOrder:Unknown order' });
  });

  it('keeps a good-till-date order alive for a trade at exactly its expiry time', async () => {
    const h = await harness();
    h.trade(1_000, 100);
    h.submit({ type: 'limit', quantity: '1', price: '95', timeInForce: 'gtd', expireAt: 5_000 });
    h.trade(5_000, 94);
    expect(h.sink.fillSummary().map((fill) => [fill.price, fill.time])).toEqual([['95', 5_000]]);
  });

  it('lets the data of any instrument move time forward for expiry', async () => {
    const h = await harness();
    h.bar(0, 100, 100, 100, 100);
    const id = h.submit({ type: 'limit', quantity: '1', price: '95', timeInForce: 'gtd', expireAt: 90_000 });
    h.bar(1, 2000, 2000, 2000, 2000, 1000, ETH_USD.id);
    expect(h.sink.last()).toEqual({ kind: 'expired', clientOrderId: id, time: MINUTE_MS });
  });
});

// ---------------------------------------------------------------------------------- reconcile, lifecycle, determinism

describe('SimulatedVenue: reconcile, lifecycle and determinism', () => {
  it('reconciles open orders, fills and balances', async () => {
    const h = await harness({ fillModel: { maxVolumeParticipation: 0.5 } });
    h.bar(0, 100, 100, 100, 100);
    const partial = h.submit({ type: 'market', quantity: '2' });
    const resting = h.submit({ type: 'limit', quantity: '1', price: '90' });
    h.bar(1, 100, 100, 100, 100, 2);
    const report = await h.venue.reconcile(0);
    expect(report.orders.map((order) => [order.clientOrderId, order.status, order.filledQuantity.toFixed()])).toEqual([
      [partial, 'partially-filled', '1'],
      [resting, 'accepted', '0'],
    ]);
    expect(report.fills.map((fill) => [fill.tradeId, fill.clientOrderId, fill.quantity.toFixed()])).toEqual([['T00000-00000-000001', partial, '1']]);
    expect(report.balances.map((balance) => [balance.asset, balance.total.toFixed(), balance.available.toFixed()])).toEqual([
      ['BTC', '1', '1'],
      // Total: 10000 − 100 − 0.4 fee. Held: the market order's other 1 (100 + 0.4) and the limit (90 + 0.36).
      ['USD', '9899.6', '9708.84'],
    ]);
    const later = await h.venue.reconcile(2 * MINUTE_MS);
    expect(later.fills).toEqual([]);
    expect(await h.venue.fetchBalances()).toEqual(report.balances);
  });

  it('with retainFinishedMs, keeps a window of finished orders and fills for reconcile, not all of them', async () => {
    const trade = async (retainFinishedMs?: number) => {
      const h = await harness(retainFinishedMs === undefined ? {} : { retainFinishedMs });
      // One order a minute for 10 hours, each filled on the next bar: a buy, then a sell.
      for (let minute = 0; minute < 600; minute++) {
        h.bar(minute, 100, 100, 100, 100);
        h.submit({ side: minute % 2 === 0 ? 'buy' : 'sell', quantity: '1' });
      }
      h.bar(600, 100, 100, 100, 100);
      return { report: await h.venue.reconcile(0), resting: h.submit({ type: 'limit', quantity: '1', price: '50' }), venue: h.venue };
    };
    const everything = await trade();
    expect(everything.report.fills).toHaveLength(600);
    expect(everything.report.orders).toHaveLength(600);
    const windowed = await trade(10 * MINUTE_MS);
    // The last 10 minutes, plus what came since the last pruning (every 256 fills and finished orders).
    expect(windowed.report.fills.length).toBeGreaterThanOrEqual(10);
    expect(windowed.report.fills.length).toBeLessThanOrEqual(10 + 128);
    expect(windowed.report.orders.length).toBeLessThanOrEqual(10 + 128);
    expect(windowed.report.fills.at(-1)).toEqual(everything.report.fills.at(-1));
    // What the window keeps is what the full history says about those times; balances are the same.
    const since = windowed.report.fills[0]!.time;
    expect(windowed.report.fills).toEqual(everything.report.fills.filter((fill) => fill.time >= since));
    expect(windowed.report.balances).toEqual(everything.report.balances);
    // Open orders are never dropped.
    expect((await windowed.venue.reconcile(0)).orders.map((order) => order.clientOrderId)).toContain(windowed.resting);
  });

  it('throws when used before connect or after close', async () => {
    const venue = new SimulatedVenue({ instruments: () => BTC_USD, clock: new TestClock(0), balances: {} });
    const order = { clientOrderId: clientOrderId('x') } as SubmitOrder;
    expect(() => venue.submit(order)).toThrow(InvariantError);
    await venue.connect(new RecordingSink());
    await venue.close();
    expect(() => venue.submit(order)).toThrow(/after close/);
  });

  it('names every bad option', () => {
    const make = () =>
      new SimulatedVenue({
        instruments: () => undefined,
        clock: new TestClock(0),
        balances: { USD: '-5', BTC: 'lots' },
        fillModel: { maxVolumeParticipation: 0 },
        latencyMs: -1,
        idPrefix: 'bad prefix',
        retainFinishedMs: -1,
        tradedVolume: [{ time: 0, amount: new Decimal(5) }, { time: Number.NaN, amount: new Decimal(5) }],
      });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/balances\.USD: received "-5"/);
    expect(make).toThrow(/balances\.BTC: received "lots"/);
    expect(make).toThrow(/fillModel\.maxVolumeParticipation: received 0/);
    expect(make).toThrow(/latencyMs: received -1/);
    expect(make).toThrow(/tradedVolume\[1\]: received/);
    expect(make).toThrow(/idPrefix: received "bad prefix"/);
    expect(make).toThrow(/retainFinishedMs: received -1, expected a number of milliseconds, 0 or more/);
  });

  it('gives the same reports, bit for bit, for the same inputs', async () => {
    const run = async () => {
      const h = await harness({ balances: { USD: '50000', BTC: '0.5' }, slippageModel: new FixedBpsSlippage(5), fillModel: { maxVolumeParticipation: 0.1 } });
      let price = 40000;
      for (let minute = 0; minute < 200; minute += 1) {
        // A deterministic zig-zag market with varying volume.
        const drift = ((minute * 7919) % 13) - 6;
        const open = price;
        const close = Math.round((price + drift * 10) * 10) / 10;
        h.bar(minute, open, Math.max(open, close) + 15, Math.min(open, close) - 15, close, 0.02 + (minute % 5) * 0.01);
        price = close;
        if (minute % 10 === 0) h.submit({ type: 'market', quantity: '0.003' });
        if (minute % 15 === 0) h.submit({ side: 'sell', type: 'limit', quantity: '0.002', price: (close + 20).toFixed(1) });
        if (minute % 25 === 0) h.submit({ side: 'sell', type: 'stop-loss', quantity: '0.001', triggerPrice: (close - 30).toFixed(1) });
        if (minute % 40 === 5) h.cancel(`o${Math.max(1, minute / 5)}`);
      }
      return { reports: h.sink.reports, balances: await h.venue.fetchBalances() };
    };
    const first = await run();
    const second = await run();
    expect(first.reports.filter((report) => report.kind === 'filled').length).toBeGreaterThan(20);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });
});

describe('SimulatedVenue: rolling fee volume over long runs', () => {
  it('keeps 30 days of volume, not more', async () => {
    const h = await harness({ balances: { USD: '1000000' } });
    for (let day = 0; day < 40; day += 1) {
      const minute = (day * DAY_MS) / MINUTE_MS;
      h.bar(minute, 10000, 10000, 10000, 10000);
      h.submit({ type: 'market', quantity: '0.1' });
      h.bar(minute + 1, 10000, 10000, 10000, 10000);
    }
    // Fills at days 10..39 (plus one minute) are within 30 days of day 39 + 1 minute.
    expect(h.venue.thirtyDayVolume(39 * DAY_MS + MINUTE_MS).toFixed()).toBe('30000');
  });

  it('counts the volume it is handed at start (a resumed paper session\'s earlier fills) for its tier and window', () => {
    const venue = new SimulatedVenue({
      instruments: () => BTC_USD, clock: new TestClock(40 * DAY_MS), balances: {},
      tradedVolume: [{ time: 5 * DAY_MS, amount: new Decimal('40000') }, { time: 20 * DAY_MS, amount: new Decimal('12000.5') }],
    });
    expect(venue.thirtyDayVolume(20 * DAY_MS).toFixed()).toBe('52000.5');
    // Day 5 has left the 30-day window by day 40.
    expect(venue.thirtyDayVolume().toFixed()).toBe('12000.5');
  });
});
