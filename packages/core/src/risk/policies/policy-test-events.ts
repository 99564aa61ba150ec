// Test support for the risk policy tests: journaled events built from plain values. Not exported
// from the package; the tests beside it import it.
import { toDecimal, type DecimalLike } from '../../model/decimal.js';
import type { OrderDenied, OrderFilled, OrderSubmitted, TradingState, TradingStateChanged } from '../../model/events.js';
import type { Fill } from '../../model/fill.js';
import { clientOrderId, splitInstrumentId, strategyId, tradeId, type InstrumentId } from '../../model/ids.js';
import type { OrderSide, SubmitOrder } from '../../model/order.js';
import type { EpochMs } from '../../model/time.js';
import { instrumentIdOf } from '../../testing/instrument-fixtures.js';
import { TEST_START_TIME } from '../../testing/market-data-builders.js';
import { order } from '../../testing/order-builders.js';

let fillCounter = 0;
let sequence = 0;

export interface FillEventInput {
  readonly side: OrderSide;
  readonly quantity: DecimalLike;
  readonly price: DecimalLike;
  readonly instrumentId?: InstrumentId | string;
  readonly strategyId?: string;
  readonly fee?: DecimalLike;
  /** Default: the quote asset. */
  readonly feeAsset?: string;
  readonly time?: EpochMs;
}

/** An `order-filled` event for a fully filled order. */
export function filledEvent(input: FillEventInput): OrderFilled {
  const instrument = instrumentIdOf(input.instrumentId ?? 'BTC/USD');
  const time = input.time ?? TEST_START_TIME;
  const id = `fill-order-${++fillCounter}`;
  const filled = order({
    clientOrderId: id, strategyId: input.strategyId ?? 'test-strategy', instrumentId: instrument, side: input.side, quantity: input.quantity,
    status: 'filled', filledQuantity: input.quantity, averageFillPrice: input.price, createdAt: time,
  });
  const fill: Fill = Object.freeze({
    tradeId: tradeId(`T-${fillCounter}`), clientOrderId: clientOrderId(id), venueOrderId: undefined, strategyId: strategyId(input.strategyId ?? 'test-strategy'),
    instrumentId: instrument, side: input.side, quantity: toDecimal(input.quantity), price: toDecimal(input.price), fee: toDecimal(input.fee ?? 0),
    feeAsset: input.feeAsset ?? splitInstrumentId(instrument).quote, liquidity: 'taker', time,
  });
  return Object.freeze({ type: 'order-filled', time, sequence: ++sequence, clientOrderId: fill.clientOrderId, strategyId: fill.strategyId, instrumentId: instrument, order: filled, fill });
}

/** An `order-submitted` event for the command. */
export function submittedEvent(command: SubmitOrder, time: EpochMs = command.createdAt): OrderSubmitted {
  const submitted = order({ ...command, status: 'submitted' });
  return Object.freeze({ type: 'order-submitted', time, sequence: ++sequence, clientOrderId: command.clientOrderId, strategyId: command.strategyId, instrumentId: command.instrumentId, order: submitted, command });
}

/** An `order-denied` event for the command. */
export function deniedEvent(command: SubmitOrder, code = 'max-position', time: EpochMs = command.createdAt): OrderDenied {
  const denied = order({ ...command, status: 'denied' });
  return Object.freeze({ type: 'order-denied', time, sequence: ++sequence, clientOrderId: command.clientOrderId, strategyId: command.strategyId, instrumentId: command.instrumentId, order: denied, code, reason: 'test', policy: 'test' });
}

export function stateChangedEvent(from: TradingState, to: TradingState, time: EpochMs = TEST_START_TIME): TradingStateChanged {
  return Object.freeze({ type: 'trading-state-changed', time, sequence: ++sequence, from, to, reason: 'test' });
}
