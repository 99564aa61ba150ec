import { expect } from 'vitest';
import { TestClock } from '../clock/clock.js';
import { isMarketDrivenVenue, type Exchange, type MarketDrivenVenue, type VenueFill } from '../exchange/exchange.js';
import { isDecimal, toDecimal, type Decimal, type DecimalLike } from '../model/decimal.js';
import { clientOrderId, instrumentId as toInstrumentId, type InstrumentId } from '../model/ids.js';
import { roundQuantity, type Instrument } from '../model/instrument.js';
import { barCloseTime, type Bar } from '../model/market-data.js';
import type { OrderStatus, SubmitOrder } from '../model/order.js';
import type { EpochMs } from '../model/time.js';
import { registerContract, type ContractCheck, type SkipCheck } from './contract-check.js';
import { submitOrder } from './order-builders.js';
import { RecordingSink, type ExecutionReport } from './recording-sink.js';

/** What the exchange contract trades with. */
export interface ExchangeScenario<E extends Exchange = Exchange> {
  /** An instrument the exchange lists, with a minimum order quantity or cost. */
  readonly instrumentId: InstrumentId | string;
  /** A quantity the account can afford and the instrument accepts at `price` (on its lot size, at or above its minimums). */
  readonly quantity: DecimalLike;
  /**
   * A limit buy price on the instrument's tick, below the market, so a buy there rests unfilled
   * until canceled; quantity × price must meet the minimum cost.
   */
  readonly price: DecimalLike;
  /**
   * Market-driven venues: at least 3 consecutive bars of the instrument, each with enough volume
   * to fill `quantity` at market.
   */
  readonly bars?: readonly Bar[];
  /** Other venues: make the venue fill the given accepted limit order, fully or in part (test-only hook). */
  readonly fill?: (context: { readonly exchange: E; readonly order: SubmitOrder; readonly clock: TestClock }) => void | Promise<void>;
  /** How long to wait for a report; default 2000 ms. */
  readonly timeoutMs?: number;
  /** After an expected report, how long to keep listening for duplicates; default 0 (synchronous venues). */
  readonly settleMs?: number;
}

/** What the contract hands `createExchange`. */
export interface ExchangeContractContext {
  /** The contract's clock (starts at the first scenario bar, else 2024-01-01); venues that take a clock should use it. */
  readonly clock: TestClock;
}

const OPEN_STATUSES: ReadonlySet<OrderStatus> = new Set(['submitted', 'accepted', 'partially-filled']);

interface Session<E extends Exchange> {
  readonly exchange: E;
  readonly clock: TestClock;
  readonly sink: RecordingSink;
  readonly instrument: Instrument;
  order(overrides: Partial<Parameters<typeof submitOrder>[0]>): SubmitOrder;
}

function settle(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Feeds one bar the way the engine does in a backtest: clock to its open, venue, clock to its close. */
function feedBar(venue: MarketDrivenVenue, clock: TestClock, bar: Bar): void {
  clock.advanceTo(bar.openTime);
  venue.onBar(bar);
  clock.advanceTo(barCloseTime(bar));
}

function expectWellFormedFill(fill: VenueFill, order: SubmitOrder): void {
  const where = `fill ${String(fill.tradeId)} of ${order.clientOrderId}`;
  expect(typeof fill.tradeId, `${where}: tradeId`).toBe('string');
  expect(fill.tradeId.length, `${where}: tradeId must not be empty`).toBeGreaterThan(0);
  expect(fill.clientOrderId, `${where}: clientOrderId`).toBe(order.clientOrderId);
  expect(fill.instrumentId, `${where}: instrumentId`).toBe(order.instrumentId);
  expect(fill.side, `${where}: side`).toBe(order.side);
  for (const field of ['quantity', 'price', 'fee'] as const) expect(isDecimal(fill[field]), `${where}: ${field} must be a Decimal`).toBe(true);
  expect(fill.quantity.greaterThan(0), `${where}: quantity ${fill.quantity.toString()} must be above 0`).toBe(true);
  expect(fill.price.greaterThan(0), `${where}: price ${fill.price.toString()} must be above 0`).toBe(true);
  expect(fill.fee.isNegative() && !fill.fee.isZero(), `${where}: fee ${fill.fee.toString()} must not be negative`).toBe(false);
  expect(typeof fill.feeAsset === 'string' && fill.feeAsset.length > 0, `${where}: feeAsset`).toBe(true);
  expect(['maker', 'taker'], `${where}: liquidity`).toContain(fill.liquidity);
  expect(Number.isFinite(fill.time), `${where}: time`).toBe(true);
}

/** A quantity on the lot size that is below the instrument's minimum quantity or (at `price`) its minimum cost. */
function quantityBelowMinimum(instrument: Instrument, price: Decimal): Decimal {
  const lot = instrument.quantityIncrement.isZero() ? toDecimal(10).pow(-instrument.quantityPrecision) : instrument.quantityIncrement;
  if (instrument.minQuantity.greaterThan(lot)) return roundQuantity(instrument, instrument.minQuantity.minus(lot));
  if (instrument.minCost.isPositive() && !instrument.minCost.isZero()) {
    const quantity = roundQuantity(instrument, instrument.minCost.dividedBy(price).minus(lot));
    if (quantity.isPositive() && !quantity.isZero()) return quantity;
  }
  return expect.fail(`${instrument.id} has no minimum quantity above one lot and no minimum cost at ${price.toFixed()}; pick a scenario instrument with a minimum`);
}

/** The rules every Exchange keeps; `runExchangeContract` registers them as tests. */
export function exchangeContractChecks<E extends Exchange>(
  createExchange: (context: ExchangeContractContext) => E | Promise<E>,
  scenario: ExchangeScenario<E>,
): ContractCheck[] {
  const timeoutMs = scenario.timeoutMs ?? 2000;
  const settleMs = scenario.settleMs ?? 0;
  const wantedId = toInstrumentId(String(scenario.instrumentId));
  const quantity = toDecimal(scenario.quantity, 'scenario.quantity');
  const price = toDecimal(scenario.price, 'scenario.price');
  const bars = scenario.bars ?? [];
  let counter = 0;

  /** Opens a fresh exchange, connects a recording sink, runs `body`, and always closes the exchange. */
  const session = async (body: (session: Session<E>) => Promise<void>) => {
    const clock = new TestClock(bars[0]?.openTime ?? Date.UTC(2024, 0, 1));
    const exchange = await createExchange({ clock });
    const sink = new RecordingSink();
    try {
      await exchange.instruments.load();
      const instrument = exchange.instruments.get(wantedId);
      if (!instrument) expect.fail(`the exchange does not list the scenario instrument ${wantedId}`);
      await exchange.execution.connect(sink);
      await body({
        exchange,
        clock,
        sink,
        instrument,
        order: (overrides) => submitOrder({
          clientOrderId: `contract-${++counter}`,
          strategyId: 'exchange-contract',
          instrumentId: wantedId,
          side: 'buy',
          type: 'limit',
          quantity,
          price,
          createdAt: clock.now(),
          ...overrides,
        }),
      });
    } finally {
      await exchange.execution.close();
      await exchange.data.close();
    }
  };

  const waitFor = (sink: RecordingSink, predicate: (report: ExecutionReport) => boolean, description: string) =>
    sink.waitFor(predicate, timeoutMs, description);

  const requireMarketDriven = (exchange: Exchange, skip: SkipCheck): MarketDrivenVenue => {
    if (!isMarketDrivenVenue(exchange.execution)) return skip('the execution client is not market-driven');
    if (bars.length < 3) return expect.fail(`scenario.bars: received ${bars.length} bars, expected at least 3 for a market-driven venue`);
    return exchange.execution;
  };

  /** Submits a limit buy that rests, waits for its acceptance, returns it with its venue id. */
  const placeRestingOrder = async (current: Session<E>) => {
    const order = current.order({});
    current.exchange.execution.submit(order);
    const report = await waitFor(current.sink, (candidate) => candidate.clientOrderId === order.clientOrderId, `a report for ${order.clientOrderId}`);
    if (report.kind !== 'accepted') expect.fail(`the scenario's valid order ${order.clientOrderId} got "${report.kind}"${'reason' in report ? `: ${report.reason}` : ''}, expected accepted`);
    return { order, venueOrderId: report.venueOrderId };
  };

  return [
    {
      name: 'instruments load, and get() returns the scenario instrument by id',
      run: async () => {
        const exchange = await createExchange({ clock: new TestClock(0) });
        try {
          const loaded = await exchange.instruments.load();
          expect(loaded.map((instrument) => instrument.id)).toContain(wantedId);
          expect(exchange.instruments.list().map((instrument) => instrument.id)).toContain(wantedId);
          const instrument = exchange.instruments.get(wantedId);
          expect(instrument?.id).toBe(wantedId);
          expect(exchange.instruments.get(toInstrumentId('NOPE/NONE'))).toBeUndefined();
        } finally {
          await exchange.execution.close();
          await exchange.data.close();
        }
      },
    },
    {
      name: 'every instrument has Decimal order rules with a positive tick and lot',
      run: async () => {
        const exchange = await createExchange({ clock: new TestClock(0) });
        try {
          for (const instrument of await exchange.instruments.load()) {
            for (const field of ['priceIncrement', 'quantityIncrement', 'minQuantity', 'minCost', 'makerFee', 'takerFee'] as const) {
              expect(isDecimal(instrument[field]), `${instrument.id}.${field} must be a Decimal`).toBe(true);
              expect(instrument[field].isNegative() && !instrument[field].isZero(), `${instrument.id}.${field} must not be negative`).toBe(false);
            }
            expect(instrument.priceIncrement.isZero(), `${instrument.id}.priceIncrement must be above 0`).toBe(false);
            expect(instrument.quantityIncrement.isZero(), `${instrument.id}.quantityIncrement must be above 0`).toBe(false);
            expect(`${instrument.base}/${instrument.quote}`).toBe(instrument.id);
          }
        } finally {
          await exchange.execution.close();
          await exchange.data.close();
        }
      },
    },
    {
      name: 'a valid order gets exactly one report, accepted with a venue order id',
      run: () => session(async (current) => {
        const { order, venueOrderId } = await placeRestingOrder(current);
        await settle(settleMs);
        const answers = current.sink.for(order.clientOrderId).filter((report) => report.kind === 'accepted' || report.kind === 'rejected');
        expect(answers.map((report) => report.kind), `reports for ${order.clientOrderId}`).toEqual(['accepted']);
        expect(typeof venueOrderId).toBe('string');
        expect(venueOrderId.length).toBeGreaterThan(0);
      }),
    },
    {
      name: "an order below the instrument's minimum is rejected with a reason",
      run: () => session(async (current) => {
        const order = current.order({ quantity: quantityBelowMinimum(current.instrument, price) });
        expect(() => current.exchange.execution.submit(order), 'submit must report a rejection, not throw').not.toThrow();
        const report = await waitFor(current.sink, (candidate) => candidate.clientOrderId === order.clientOrderId, `a report for ${order.clientOrderId}`);
        expect(report.kind, `order of ${order.quantity.toFixed()} ${current.instrument.base} (minimum ${current.instrument.minQuantity.toFixed()}, cost minimum ${current.instrument.minCost.toFixed()})`).toBe('rejected');
        if (report.kind === 'rejected') expect(report.reason.trim().length).toBeGreaterThan(0);
        await settle(settleMs);
        expect(current.sink.for(order.clientOrderId).map((candidate) => candidate.kind)).toEqual(['rejected']);
      }),
    },
    {
      name: 'canceling an open order reports it canceled',
      run: () => session(async (current) => {
        const { order, venueOrderId } = await placeRestingOrder(current);
        current.exchange.execution.cancel({ clientOrderId: order.clientOrderId, venueOrderId, instrumentId: order.instrumentId, requestedAt: current.clock.now() });
        const report = await waitFor(current.sink, (candidate) => candidate.clientOrderId === order.clientOrderId && candidate.kind !== 'accepted', `the cancel result for ${order.clientOrderId}`);
        expect(report.kind).toBe('canceled');
        await settle(settleMs);
        expect(current.sink.for(order.clientOrderId).map((candidate) => candidate.kind)).toEqual(['accepted', 'canceled']);
      }),
    },
    {
      name: 'canceling an unknown order reports cancel-rejected instead of throwing',
      run: () => session(async (current) => {
        const unknown = clientOrderId(`contract-unknown-${++counter}`);
        expect(() => current.exchange.execution.cancel({ clientOrderId: unknown, venueOrderId: undefined, instrumentId: wantedId, requestedAt: current.clock.now() })).not.toThrow();
        const report = await waitFor(current.sink, (candidate) => candidate.clientOrderId === unknown, `a report for ${unknown}`);
        expect(report.kind).toBe('cancel-rejected');
        if (report.kind === 'cancel-rejected') expect(report.reason.trim().length).toBeGreaterThan(0);
      }),
    },
    {
      name: 'reconcile lists an accepted order as open',
      run: () => session(async (current) => {
        const { order, venueOrderId } = await placeRestingOrder(current);
        const report = await current.exchange.execution.reconcile(0);
        const state = report.orders.find((candidate) => candidate.clientOrderId === order.clientOrderId);
        expect(state, `reconcile(0).orders must include ${order.clientOrderId}`).toBeDefined();
        expect(OPEN_STATUSES.has(state!.status), `status ${state!.status} must be open`).toBe(true);
        expect(state!.venueOrderId).toBe(venueOrderId);
        expect(isDecimal(state!.filledQuantity) && state!.filledQuantity.isZero()).toBe(true);
      }),
    },
    {
      name: 'fetchBalances returns Decimal totals with available at most the total',
      run: () => session(async (current) => {
        const balances = await current.exchange.execution.fetchBalances();
        expect(Array.isArray(balances)).toBe(true);
        for (const balance of balances) {
          expect(typeof balance.asset).toBe('string');
          expect(isDecimal(balance.total) && isDecimal(balance.available), `${balance.asset}: total and available must be Decimal`).toBe(true);
          expect(balance.available.lessThanOrEqualTo(balance.total), `${balance.asset}: available ${balance.available.toFixed()} above total ${balance.total.toFixed()}`).toBe(true);
        }
      }),
    },
    {
      name: 'fills carry a trade id, Decimal quantity, price and fee, and never overfill',
      run: (skip) => session(async (current) => {
        let order: SubmitOrder;
        if (isMarketDrivenVenue(current.exchange.execution)) {
          const venue = requireMarketDriven(current.exchange, skip);
          feedBar(venue, current.clock, bars[0]!);
          order = current.order({ type: 'market', price: undefined });
          venue.submit(order);
          const answer = await waitFor(current.sink, (candidate) => candidate.clientOrderId === order.clientOrderId, `a report for ${order.clientOrderId}`);
          expect(answer.kind, `market order ${order.clientOrderId}${'reason' in answer ? `: ${answer.reason}` : ''}`).toBe('accepted');
          for (const next of bars.slice(1)) feedBar(venue, current.clock, next);
        } else if (scenario.fill) {
          order = (await placeRestingOrder(current)).order;
          await scenario.fill({ exchange: current.exchange, order, clock: current.clock });
        } else {
          return skip('the venue is not market-driven and the scenario has no fill hook');
        }
        await waitFor(current.sink, (candidate) => candidate.kind === 'filled' && candidate.clientOrderId === order.clientOrderId, `a fill of ${order.clientOrderId}`);
        await settle(settleMs);
        const fills = current.sink.fills.filter((fill) => fill.clientOrderId === order.clientOrderId);
        for (const fill of fills) expectWellFormedFill(fill, order);
        const tradeIds = fills.map((fill) => fill.tradeId);
        expect(new Set(tradeIds).size, `trade ids must be unique: ${tradeIds.join(', ')}`).toBe(tradeIds.length);
        const total = fills.reduce((sum, fill) => sum.plus(fill.quantity), toDecimal(0));
        expect(total.lessThanOrEqualTo(order.quantity), `filled ${total.toFixed()} of ${order.quantity.toFixed()}`).toBe(true);
      }),
    },
    {
      name: 'market-driven: an order fills only on data that starts after it was placed',
      run: (skip) => session(async (current) => {
        const venue = requireMarketDriven(current.exchange, skip);
        feedBar(venue, current.clock, bars[0]!);
        // Placed one millisecond into bar 1: bar 1's prices may have happened before the order.
        const placedAt: EpochMs = bars[1]!.openTime + 1;
        current.clock.advanceTo(placedAt);
        const order = current.order({ type: 'market', price: undefined, createdAt: placedAt });
        venue.submit(order);
        const answer = await waitFor(current.sink, (candidate) => candidate.clientOrderId === order.clientOrderId, `a report for ${order.clientOrderId}`);
        expect(answer.kind, `market order ${order.clientOrderId}${'reason' in answer ? `: ${answer.reason}` : ''}`).toBe('accepted');
        feedBar(venue, current.clock, bars[1]!);
        await settle(settleMs);
        const early = current.sink.fills.filter((fill) => fill.clientOrderId === order.clientOrderId);
        expect(early.map((fill) => `${fill.quantity.toFixed()} @ ${fill.price.toFixed()} at ${fill.time}`), 'fills on the bar the order was placed in (look-ahead)').toEqual([]);
        for (const next of bars.slice(2)) feedBar(venue, current.clock, next);
        await waitFor(current.sink, (candidate) => candidate.kind === 'filled' && candidate.clientOrderId === order.clientOrderId, `a fill of ${order.clientOrderId} on a later bar`);
        await settle(settleMs);
        const later = bars.filter((candidate) => candidate.openTime >= placedAt);
        for (const fill of current.sink.fills.filter((candidate) => candidate.clientOrderId === order.clientOrderId)) {
          const during = later.some((candidate) => fill.time >= candidate.openTime && fill.time <= barCloseTime(candidate));
          expect(fill.time >= placedAt && during, `fill at ${fill.time} must be timed within a bar that opened at or after the order (${placedAt})`).toBe(true);
        }
      }),
    },
  ];
}

/**
 * The Exchange contract, for any Exchange (adapters, the simulated venue, fakes): instruments,
 * one report per order, rejections below the minimum, cancels, reconcile, balances, well-formed
 * fills and, for market-driven venues, no fills from data before the order. `createExchange`
 * must return a fresh exchange (fresh account) each time; the contract closes it.
 */
export function runExchangeContract<E extends Exchange>(
  name: string,
  createExchange: (context: ExchangeContractContext) => E | Promise<E>,
  scenario: ExchangeScenario<E>,
): void {
  registerContract(`${name} keeps the Exchange contract`, exchangeContractChecks(createExchange, scenario));
}
