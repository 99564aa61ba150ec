import { describe, expect, it } from 'vitest';
import { TestClock } from '../clock/clock.js';
import type { ExecutionClient, ExecutionReportSink, VenueFill } from '../exchange/exchange.js';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import { Decimal } from '../model/decimal.js';
import type { JournaledEvent, OrderEvent } from '../model/events.js';
import { instrumentId, tradeId, venueOrderId, type ClientOrderId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import type { CancelOrder, OrderIntent, SubmitOrder } from '../model/order.js';
import { decodeEvent, encodeEvent } from '../persistence/event-codec.js';
import { InMemoryStore } from '../persistence/store.js';
import { deny, ALLOW, type RiskPolicy } from '../risk/risk-policy.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import type { Learner, TradeOutcome } from '../learning/learner.js';
import { Engine } from './engine.js';

const BTC = instrumentId('BTC/USD');
const HOUR = 3_600_000;

/** An execution client the test drives by hand: it records commands and reports what it is told. */
class ScriptedVenue implements ExecutionClient {
  sink!: ExecutionReportSink;
  readonly submitted: SubmitOrder[] = [];
  readonly canceled: CancelOrder[] = [];
  async connect(sink: ExecutionReportSink) { this.sink = sink; }
  submit(order: SubmitOrder) { this.submitted.push(order); }
  cancel(command: CancelOrder) { this.canceled.push(command); }
  async reconcile() { return { orders: [], fills: [], balances: [] }; }
  async fetchBalances() { return []; }
  async close() {}
  fill(id: ClientOrderId, quantity: string, price: string, trade: string, time = 1): void {
    const order = this.submitted.find((candidate) => candidate.clientOrderId === id)!;
    const fill: VenueFill = {
      tradeId: tradeId(trade), clientOrderId: id, venueOrderId: venueOrderId(`V-${id}`), instrumentId: order.instrumentId, side: order.side,
      quantity: new Decimal(quantity), price: new Decimal(price), fee: new Decimal(quantity).times(price).times('0.004'), feeAsset: 'USD', liquidity: 'taker', time,
    };
    this.sink.onFilled(fill);
  }
}

/** Submits the intents it is given on the first bar and records every order event it sees. */
class ScriptedStrategy implements Strategy<{ intents: OrderIntent[] }> {
  readonly seen: OrderEvent[] = [];
  ids: ClientOrderId[] = [];
  subscriptions() { return [{ instrumentId: BTC, kind: 'bars' as const, interval: HOUR }]; }
  onBar(_bar: Bar, ctx: StrategyContext<{ intents: OrderIntent[] }>) {
    if (this.ids.length === 0) this.ids = ctx.params.intents.map((intent) => ctx.orders.submit(intent));
  }
  onOrderEvent(event: OrderEvent) { this.seen.push(event); }
}

function bar(index: number, close = 100): Bar {
  return { instrumentId: BTC, interval: HOUR, openTime: index * HOUR, open: close, high: close + 1, low: close - 1, close, volume: 10 };
}

function setup(intents: OrderIntent[], options: { policies?: RiskPolicy[]; learners?: Learner[]; balances?: Record<string, string> } = {}) {
  const venue = new ScriptedVenue();
  const store = new InMemoryStore();
  const strategy = new ScriptedStrategy();
  const engine = new Engine({
    mode: 'backtest', clock: new TestClock(), instruments: new StaticInstrumentProvider(krakenSpotInstruments()), execution: venue, store,
    strategies: [{ id: 'scripted', strategy, params: { intents } }], quoteAsset: 'USD', startBalances: options.balances ?? { USD: '10000' },
    riskPolicies: options.policies ?? [], learners: options.learners ?? [],
  });
  return { venue, store, strategy, engine };
}

const types = (events: readonly JournaledEvent[]) => events.map((event) => event.type);

describe('Engine', () => {
  it('journals submitted → accepted → filled → position events with increasing sequence numbers', async () => {
    const { venue, store, strategy, engine } = setup([{ instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.5' }]);
    await engine.start();
    engine.onBar(bar(0));
    const id = strategy.ids[0]!;
    venue.sink.onAccepted({ clientOrderId: id, venueOrderId: venueOrderId('V1'), time: 2 });
    venue.fill(id, '0.5', '101', 'T1');
    expect(types(store.events())).toEqual(['engine-started', 'order-submitted', 'order-accepted', 'order-filled', 'position-opened']);
    expect(store.events().map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(engine.orders.get(id)?.status).toBe('filled');
    expect(engine.portfolio.balanceTotal('USD').toFixed()).toBe('9949.298');
    expect(strategy.seen.map((event) => event.type)).toEqual(['order-submitted', 'order-accepted', 'order-filled']);
    expect(Object.isFrozen(store.events()[3])).toBe(true);
  });

  it('ignores a duplicate fill (same trade id) and accepts a late fill after cancel', async () => {
    const { venue, store, strategy, engine } = setup([{ instrumentId: 'BTC/USD', side: 'buy', type: 'limit', price: '99', quantity: '1' }]);
    await engine.start();
    engine.onBar(bar(0));
    const id = strategy.ids[0]!;
    venue.sink.onAccepted({ clientOrderId: id, venueOrderId: venueOrderId('V1'), time: 2 });
    venue.fill(id, '0.4', '99', 'T1');
    venue.fill(id, '0.4', '99', 'T1');
    expect(engine.orders.get(id)?.filledQuantity.toFixed()).toBe('0.4');
    engine.cancel(id);
    expect(venue.canceled).toHaveLength(1);
    venue.sink.onCanceled({ clientOrderId: id, time: 3 });
    venue.fill(id, '0.1', '99', 'T2');
    const order = engine.orders.get(id)!;
    expect(order.status).toBe('canceled');
    expect(order.filledQuantity.toFixed()).toBe('0.5');
    expect(engine.portfolio.balanceTotal('BTC').toFixed()).toBe('0.5');
    expect(types(store.events()).filter((type) => type === 'order-filled')).toHaveLength(2);
  });

  it('denies through risk with a reason code and never sends the order', async () => {
    const cap: RiskPolicy = { name: 'cap', check: (order) => (order.quantity.greaterThan(1) ? deny('max-position', 'too big') : ALLOW) };
    const { venue, store, strategy, engine } = setup([{ instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '2' }], { policies: [cap] });
    await engine.start();
    engine.onBar(bar(0));
    expect(venue.submitted).toHaveLength(0);
    const denied = store.events().find((event) => event.type === 'order-denied');
    expect(denied).toMatchObject({ code: 'max-position', reason: 'too big', policy: 'cap' });
    expect(engine.orders.get(strategy.ids[0]!)?.status).toBe('denied');
    expect(engine.denials().get('max-position')).toBe(1);
  });

  it('rounds to the instrument at the boundary and denies what Kraken would reject', async () => {
    const { venue, store, engine } = setup([
      { instrumentId: 'BTC/USD', side: 'buy', type: 'limit', price: '100.37', quantity: '0.123456789' },
      { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.00001' },
      { instrumentId: 'DOGE/EUR', side: 'buy', type: 'market', quantity: '1' },
      { instrumentId: 'BTC/USD', side: 'buy', type: 'limit', quantity: '1' },
    ]);
    await engine.start();
    engine.onBar(bar(0));
    expect(venue.submitted).toHaveLength(1);
    expect(venue.submitted[0]!.price!.toFixed()).toBe('100.3');
    expect(venue.submitted[0]!.quantity.toFixed()).toBe('0.12345678');
    const denials = store.events().filter((event) => event.type === 'order-denied');
    expect(denials.map((event) => (event as { code: string }).code)).toEqual(['invalid-order', 'unknown-instrument', 'invalid-order']);
    expect((denials[0] as { reason: string }).reason).toBe('below-minimum-quantity: EOrder:Order minimum not met (quantity: received 0.00001, expected at least 0.0001 BTC on BTC/USD)');
    expect((denials[2] as { reason: string }).reason).toContain('price');
  });

  it('names the value, what it was rounded from and the limit when an order breaks the instrument\'s rules', async () => {
    const { venue, store, engine } = setup([
      { instrumentId: 'BTC/USD', side: 'buy', type: 'limit', price: '100', quantity: '0.000000009' },
      { instrumentId: 'BTC/USD', side: 'buy', type: 'limit', price: '-5', quantity: '0.01' },
      { instrumentId: 'BTC/USD', side: 'buy', type: 'limit', price: '20', quantity: '0.001' },
      { instrumentId: 'BTC/USD', side: 'sell', type: 'market', quantity: '0.0001' },
      { instrumentId: 'BTC/USD', side: 'sell', type: 'stop-loss', triggerPrice: '20', quantity: '0.001' },
    ]);
    await engine.start();
    engine.onBar(bar(0));
    expect(venue.submitted).toHaveLength(0);
    const reasons = store.events().filter((event) => event.type === 'order-denied').map((event) => (event as { reason: string }).reason);
    expect(reasons).toEqual([
      'invalid-quantity: EGeneral:Invalid arguments:volume (quantity: received 0 (0.000000009 rounded to the BTC/USD rules), expected more than 0 BTC in steps of 0.00000001)',
      'invalid-price: EOrder:Invalid price (price: received -5, expected more than 0 USD)',
      'below-minimum-cost: EOrder:Cost minimum not met (cost: received 0.001 BTC × 20 (the limit price) = 0.02 USD, expected at least 0.5 USD on BTC/USD)',
      'below-minimum-cost: EOrder:Cost minimum not met (cost: received 0.0001 BTC × 100 (the last price) = 0.01 USD, expected at least 0.5 USD on BTC/USD)',
      'below-minimum-cost: EOrder:Cost minimum not met (cost: received 0.001 BTC × 20 (the trigger price) = 0.02 USD, expected at least 0.5 USD on BTC/USD)',
    ]);
  });

  it('records a denied intent\'s unparseable price and trigger price as absent, never as 0, in the order and the journal', async () => {
    const { store, strategy, engine } = setup([
      { instrumentId: 'BTC/USD', side: 'buy', type: 'limit', price: 'abc', quantity: '0.001' },
      { instrumentId: 'BTC/USD', side: 'sell', type: 'stop-loss', triggerPrice: 'NaN', quantity: '0.001' },
      { instrumentId: 'BTC/USD', side: 'long' as 'buy', type: 'limit', price: '99.5', triggerPrice: 'soon', quantity: '0.001' },
    ]);
    await engine.start();
    engine.onBar(bar(0));
    const orders = strategy.ids.map((id) => engine.orders.get(id)!);
    expect(orders.map((order) => [order.status, order.price?.toFixed(), order.triggerPrice?.toFixed(), order.quantity.toFixed()])).toEqual([
      ['denied', undefined, undefined, '0.001'],
      ['denied', undefined, undefined, '0.001'],
      ['denied', '99.5', undefined, '0.001'],
    ]);
    expect(orders[0]!.reason).toBe('price: received "abc", expected a decimal number or decimal string');
    expect(orders[1]!.reason).toBe('triggerPrice: received "NaN", expected a decimal number or decimal string');
    const denials = store.events().filter((event) => event.type === 'order-denied');
    const decoded = denials.map((event) => decodeEvent(encodeEvent(event)) as Extract<JournaledEvent, { type: 'order-denied' }>);
    expect(decoded.map((event) => [event.order.price?.toFixed(), event.order.triggerPrice?.toFixed()])).toEqual([[undefined, undefined], [undefined, undefined], ['99.5', undefined]]);
  });

  it('in halted state only cancels pass; in reducing only sells of a held position pass', async () => {
    const { venue, engine } = setup([]);
    await engine.start();
    engine.setTradingState('halted', 'test');
    engine.submit('scripted', { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.1' });
    engine.onBar(bar(0));
    expect(venue.submitted).toHaveLength(0);
    engine.setTradingState('reducing', 'test');
    engine.submit('scripted', { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.1' });
    expect(venue.submitted).toHaveLength(0);
  });

  it('tells learners about closed round trips with the entry features', async () => {
    const outcomes: TradeOutcome[] = [];
    const learner: Learner = { id: 'l', observe: (outcome) => outcomes.push(outcome), advise: () => ({ allow: true }), snapshot: () => ({}), restore() {} };
    const { venue, strategy, engine } = setup([
      { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '1', features: { rsi: 42 } },
      { instrumentId: 'BTC/USD', side: 'sell', type: 'limit', price: '110', quantity: '1' },
    ], { learners: [learner] });
    await engine.start();
    engine.onBar(bar(0));
    const [buy, sell] = strategy.ids as [ClientOrderId, ClientOrderId];
    venue.fill(buy, '1', '100', 'T1');
    venue.fill(sell, '1', '110', 'T2');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.features).toEqual({ rsi: 42 });
    expect(outcomes[0]!.roundTrip.grossPnl.toFixed()).toBe('10');
    expect(outcomes[0]!.roundTrip.netPnl.toFixed()).toBe('9.16');
  });

  it('refuses to keep its history only in the journal without snapshots or without a store that reads it back', () => {
    const base = {
      mode: 'paper' as const, clock: new TestClock(), instruments: new StaticInstrumentProvider(krakenSpotInstruments()), execution: new ScriptedVenue(),
      strategies: [], quoteAsset: 'USD', history: 'journal' as const,
    };
    expect(() => new Engine({ ...base, store: new InMemoryStore() })).toThrow(/history: received 'journal', expected snapshots \(snapshotEvery > 0, received 0\)/);
    const blind = { append: () => {}, snapshot: () => {}, load: () => ({ snapshot: undefined, events: [] }), close: () => {} };
    expect(() => new Engine({ ...base, store: blind, snapshotEvery: 10 })).toThrow(/Store\.journal, which this store lacks/);
    expect(() => new Engine({ ...base, store: new InMemoryStore(), snapshotEvery: 10 })).not.toThrow();
  });

  it('keeps only the most recently finished orders in a snapshot, with open orders and the entry of an open position', async () => {
    const clock = new TestClock(0);
    const venue = new ScriptedVenue();
    const store = new InMemoryStore();
    const strategy = new ScriptedStrategy();
    const intents: OrderIntent[] = Array.from({ length: 8 }, (_, index) => ({ instrumentId: 'BTC/USD', side: 'buy', type: 'limit', price: String(90 + index), quantity: '0.01' }));
    const engine = new Engine({
      mode: 'paper', clock, instruments: new StaticInstrumentProvider(krakenSpotInstruments()), execution: venue, store,
      strategies: [{ id: 'scripted', strategy, params: { intents } }], quoteAsset: 'USD', startBalances: { USD: '10000' },
      snapshotEvery: 1000, history: 'journal', snapshotRetainFinishedOrders: 3,
    });
    await engine.start();
    engine.onBar(bar(0));
    const [entry, ...rest] = strategy.ids;
    // The first order fills (the entry of a position that stays open); then five are canceled, one a millisecond; two stay open.
    clock.advanceTo(10);
    venue.sink.onAccepted({ clientOrderId: entry!, venueOrderId: venueOrderId('V0'), time: 10 });
    venue.fill(entry!, '0.01', '90', 'T0', 10);
    rest.slice(0, 5).forEach((id, index) => {
      clock.advanceTo(20 + index);
      venue.sink.onAccepted({ clientOrderId: id, venueOrderId: venueOrderId(`V${index + 1}`), time: 20 + index });
      venue.sink.onCanceled({ clientOrderId: id, time: 20 + index });
    });
    engine.takeSnapshot();
    const expected = [entry!, ...rest.slice(2)].sort();
    expect(engine.orders.all().map((order) => order.clientOrderId).sort()).toEqual(expected);
    const snapshot = store.load().snapshot!.state as { orders: { clientOrderId: string }[] };
    expect(snapshot.orders.map((order) => order.clientOrderId).sort()).toEqual(expected);
  });

  it('refuses a retained finished order count that is not a whole number', () => {
    const base = { mode: 'paper' as const, clock: new TestClock(), instruments: new StaticInstrumentProvider(krakenSpotInstruments()), execution: new ScriptedVenue(), store: new InMemoryStore(), strategies: [], quoteAsset: 'USD' };
    expect(() => new Engine({ ...base, snapshotRetainFinishedOrders: -1 })).toThrow('snapshotRetainFinishedOrders: received -1, expected a whole number of 0 or more');
    expect(() => new Engine({ ...base, snapshotRetainFinishedOrders: 2.5 })).toThrow(/received 2\.5/);
  });

  it('the same inputs give the same journal', async () => {
    const run = async () => {
      const { venue, store, strategy, engine } = setup([{ instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.5' }]);
      await engine.start();
      engine.onBar(bar(0));
      venue.fill(strategy.ids[0]!, '0.5', '101', 'T1');
      engine.onBar(bar(1, 105));
      return JSON.stringify(store.events());
    };
    expect(await run()).toBe(await run());
  });
});

describe('Engine portfolio view', () => {
  it('counts what open orders hold, a buy\'s taker fee included, as the venue holds it', async () => {
    const { engine } = setup([
      { instrumentId: 'BTC/USD', side: 'buy', type: 'limit', price: '300', quantity: '10' },
      { instrumentId: 'BTC/USD', side: 'sell', type: 'limit', price: '500', quantity: '0.25' },
    ], { balances: { USD: '10000', BTC: '1' } });
    await engine.start();
    engine.onBar(bar(0, 400));
    const view = engine.portfolioViewFor();
    const takerFee = krakenSpotInstruments().find((instrument) => instrument.id === BTC)!.takerFee;
    // 10 × 300 = 3000 USD, plus the taker fee on it
    expect(view.balance('USD').available.toFixed()).toBe(new Decimal(10000).minus(new Decimal(3000).times(takerFee.plus(1))).toFixed());
    expect(takerFee.toFixed()).toBe('0.004');
    expect(view.balance('USD').available.toFixed()).toBe('6988');
    expect(view.balance('BTC').available.toFixed()).toBe('0.75');
  });
});

describe('Engine opening equity', () => {
  it('values the starting balances at the first price seen of each pair, not at whatever is known when it is asked', async () => {
    const { engine } = setup([{ instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.5' }], { balances: { USD: '10000', BTC: '2', ETH: '3' } });
    await engine.start();
    // No price yet: only the quote asset can be valued, as equity() values it.
    expect(engine.openingEquity().toFixed()).toBe('10000');
    expect(engine.equity().toFixed()).toBe('10000');
    engine.onBar({ ...bar(0, 101), open: 99.5 });
    engine.onBar(bar(1, 120));
    // The first bar's open, though the last close is 120 and the strategy has traded since.
    expect(engine.openingEquity().toFixed()).toBe('10199');
    expect(engine.equity().toFixed()).not.toBe(engine.openingEquity().toFixed());
    // ETH never had a price: it is left out, as equity() leaves it out.
    expect(engine.equity().toFixed()).toBe(engine.portfolio.balanceTotal('USD').plus(engine.portfolio.balanceTotal('BTC').times(120)).toFixed());
  });

  it('takes the venue\'s balances as the opening ones when they are adopted before any price, and not after', async () => {
    const { engine } = setup([], { balances: { USD: '10000' } });
    await engine.start();
    engine.adoptVenueBalances([{ asset: 'USD', total: new Decimal('5000'), available: new Decimal('5000') }, { asset: 'BTC', total: new Decimal('1'), available: new Decimal('1') }]);
    engine.onBar({ ...bar(0, 100), open: 90 });
    expect(engine.openingEquity().toFixed()).toBe('5090');
    // A deposit seen later changes equity, not what the session started with.
    engine.adoptVenueBalances([{ asset: 'USD', total: new Decimal('6000'), available: new Decimal('6000') }, { asset: 'BTC', total: new Decimal('1'), available: new Decimal('1') }]);
    expect(engine.openingEquity().toFixed()).toBe('5090');
    expect(engine.equity().toFixed()).toBe('6100');
  });
});

describe('Engine ordering', () => {
  it('a strategy handler is never re-entered: order events of a submit arrive after onBar returns', async () => {
    const log: string[] = [];
    const strategy: Strategy<unknown> = {
      subscriptions: () => [{ instrumentId: BTC, kind: 'bars', interval: HOUR }],
      onBar(_bar, ctx) {
        log.push('bar-start');
        ctx.orders.submit({ instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.00001' });
        log.push('bar-end');
      },
      onOrderEvent(event) {
        log.push(event.type);
      },
    };
    const engine = new Engine({
      mode: 'backtest', clock: new TestClock(), instruments: new StaticInstrumentProvider(krakenSpotInstruments()), execution: new ScriptedVenue(),
      store: new InMemoryStore(), strategies: [{ id: 's', strategy, params: {} }], quoteAsset: 'USD', startBalances: { USD: '100' },
    });
    await engine.start();
    engine.onBar(bar(0));
    expect(log).toEqual(['bar-start', 'bar-end', 'order-denied']);
  });
});

describe('Engine market-data events', () => {
  function quietEngine(strategies: { id: string; strategy: Strategy<unknown>; params: unknown }[] = []) {
    return new Engine({
      mode: 'backtest', clock: new TestClock(), instruments: new StaticInstrumentProvider(krakenSpotInstruments()), execution: new ScriptedVenue(),
      store: new InMemoryStore(), strategies, quoteAsset: 'USD', startBalances: { USD: '100' },
    });
  }

  it('publishes bar-closed to a listener that subscribes after bars have flowed, and stops after it unsubscribes', async () => {
    const engine = quietEngine();
    await engine.start();
    engine.onBar(bar(0));
    const seen: number[] = [];
    const off = engine.bus.on('bar-closed', (event) => seen.push(event.bar.openTime));
    engine.onBar(bar(1));
    engine.onBar(bar(2));
    off();
    engine.onBar(bar(3));
    const again = engine.bus.on('bar-closed', (event) => seen.push(-event.bar.openTime));
    engine.onBar(bar(4));
    again();
    expect(seen).toEqual([1 * HOUR, 2 * HOUR, -4 * HOUR]);
  });

  it('publishes trade-received and quote-received to listeners that subscribe after start', async () => {
    const engine = quietEngine();
    await engine.start();
    engine.onTrade({ instrumentId: BTC, time: 1, price: 100, quantity: 1, side: 'buy' });
    engine.onQuote({ instrumentId: BTC, time: 2, bid: 99, bidSize: 1, ask: 101, askSize: 1 });
    const seen: string[] = [];
    engine.bus.on('trade-received', (event) => seen.push(`trade ${event.trade.price}`));
    engine.bus.on('quote-received', (event) => seen.push(`quote ${event.quote.bid}`));
    engine.onTrade({ instrumentId: BTC, time: 3, price: 102, quantity: 1, side: 'sell' });
    engine.onQuote({ instrumentId: BTC, time: 4, bid: 101, bidSize: 1, ask: 103, askSize: 1 });
    expect(seen).toEqual(['trade 102', 'quote 101']);
  });

  it('routes each bar to the strategies of its instrument and interval, whatever came before', async () => {
    const ETH = instrumentId('ETH/USD');
    const seen: string[] = [];
    const watcher = (name: string, instrument: typeof BTC, interval: number): Strategy<unknown> => ({
      subscriptions: () => [{ instrumentId: instrument, kind: 'bars', interval }],
      onBar: (seenBar) => { seen.push(`${name} ${seenBar.instrumentId} ${seenBar.interval / 60_000}m`); },
    });
    const engine = quietEngine([
      { id: 'btc-hourly', strategy: watcher('btc-hourly', BTC, HOUR), params: {} },
      { id: 'eth-hourly', strategy: watcher('eth-hourly', ETH, HOUR), params: {} },
    ]);
    await engine.start();
    const at = (instrument: typeof BTC, interval: number, index: number): Bar => ({ ...bar(index), instrumentId: instrument, interval, openTime: index * interval });
    engine.onBar(at(BTC, HOUR, 0));
    engine.onBar(at(BTC, HOUR, 1));
    engine.onBar(at(ETH, HOUR, 0));
    engine.onBar(at(BTC, 60_000, 120));
    engine.onBar(at(BTC, HOUR, 3));
    engine.onBar(at(ETH, 60_000, 200));
    engine.onBar(at(ETH, HOUR, 4));
    expect(seen).toEqual(['btc-hourly BTC/USD 60m', 'btc-hourly BTC/USD 60m', 'eth-hourly ETH/USD 60m', 'btc-hourly BTC/USD 60m', 'eth-hourly ETH/USD 60m']);
  });
});
