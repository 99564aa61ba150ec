import { Decimal } from '../model/decimal.js';
import type { JournaledEvent } from '../model/events.js';
import type { Fill } from '../model/fill.js';
import { tradeId, venueOrderId, type InstrumentId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import type { EpochMs } from '../model/time.js';
import { instrumentIdOf } from './instrument-fixtures.js';
import { TEST_START_TIME } from './market-data-builders.js';
import { order, submitOrder } from './order-builders.js';

export interface SampleJournalOptions {
  readonly instrumentId?: Instrument | InstrumentId | string;
  readonly strategyId?: string;
  /** Time of the first event; each later event is one second later. */
  readonly start?: EpochMs;
  /** Sequence of the first event; default 1. */
  readonly firstSequence?: number;
}

/**
 * `count` realistic, frozen journal events with consecutive sequences: `engine-started`, then
 * orders going submitted → accepted → filled (buys and sells alternating), every money field a
 * Decimal. For store tests: what a store keeps must come back equal.
 */
export function sampleJournal(count: number, options: SampleJournalOptions = {}): JournaledEvent[] {
  if (!Number.isInteger(count) || count < 0) throw new TypeError(`sampleJournal count: received ${count}, expected a whole number of 0 or more`);
  const instrumentId = instrumentIdOf(options.instrumentId ?? 'BTC/USD');
  const strategy = options.strategyId ?? 'test-strategy';
  const start = options.start ?? TEST_START_TIME;
  const first = options.firstSequence ?? 1;
  const events: JournaledEvent[] = [];
  for (let index = 0; index < count; index++) {
    const sequence = first + index;
    const time = start + index * 1000;
    if (sequence === 1) {
      events.push(Object.freeze({ type: 'engine-started', time, sequence, mode: 'backtest' }));
      continue;
    }
    // Three events per order: which order and which step this sequence is.
    const orderNumber = Math.floor((sequence - 2) / 3) + 1;
    const step = (sequence - 2) % 3;
    const id = `kb-${orderNumber}`;
    const side = orderNumber % 2 === 1 ? 'buy' : 'sell';
    const price = new Decimal(40_000 + orderNumber * 10);
    const quantity = new Decimal('0.01');
    const command = submitOrder({ clientOrderId: id, strategyId: strategy, instrumentId, side, type: 'limit', quantity, price, createdAt: time });
    const base = { time, sequence, clientOrderId: command.clientOrderId, strategyId: command.strategyId, instrumentId: command.instrumentId };
    if (step === 0) {
      events.push(Object.freeze({ type: 'order-submitted', ...base, order: order({ ...command, status: 'submitted' }), command }));
    } else if (step === 1) {
      events.push(Object.freeze({ type: 'order-accepted', ...base, order: order({ ...command, status: 'accepted', venueOrderId: `O-${id}` }) }));
    } else {
      // Rounded half up to USD's 4 places, as the simulated venue charges fees.
      const fee = quantity.times(price).times('0.0025').toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
      const fill: Fill = Object.freeze({
        tradeId: tradeId(`T-${id}`),
        clientOrderId: command.clientOrderId,
        venueOrderId: venueOrderId(`O-${id}`),
        strategyId: command.strategyId,
        instrumentId,
        side,
        quantity,
        price,
        fee,
        feeAsset: instrumentId.split('/')[1]!,
        liquidity: 'maker',
        time,
      });
      const filled = order({ ...command, status: 'filled', venueOrderId: `O-${id}`, filledQuantity: quantity, averageFillPrice: price, fees: { [fill.feeAsset]: fee }, updatedAt: time });
      events.push(Object.freeze({ type: 'order-filled', ...base, order: filled, fill }));
    }
  }
  return events;
}
