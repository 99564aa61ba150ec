import { Decimal } from '../model/decimal.js';
import type { JournaledEvent } from '../model/events.js';
import type { Fill } from '../model/fill.js';
import { strategyId, tradeId, venueOrderId } from '../model/ids.js';
import { TEST_START_TIME } from '../testing/market-data-builders.js';
import { order, position, submitOrder } from '../testing/order-builders.js';
import { tradeOutcome } from '../testing/trade-outcome-builder.js';

/*
 * One event of every journaled type, numbered 1..16, for the codec and store tests. Values are
 * chosen to be hard to keep: Decimals with 40+ digits, tiny and huge exponents, negative zero,
 * undefined fields, non-finite numbers and `$` keys in free-form features.
 */

type EveryType = { [T in JournaledEvent['type']]: Omit<Extract<JournaledEvent, { type: T }>, 'sequence'> };

export function everyJournaledEvent(): JournaledEvent[] {
  const time = TEST_START_TIME;
  const command = submitOrder({
    clientOrderId: 'kb-1',
    side: 'buy',
    type: 'limit',
    quantity: '0.00000001',
    price: '42123.123456789012345678901234567890123456',
    postOnly: true,
    tag: 'rsi < 30 — entrée',
    features: { rsi: 28.5, zscore: -0, spread: Number.NaN, depth: Number.POSITIVE_INFINITY, $decimal: 1, $$already: 2 },
    createdAt: time,
  });
  const ids = { clientOrderId: command.clientOrderId, strategyId: command.strategyId, instrumentId: command.instrumentId };
  const accepted = order({ ...command, status: 'accepted', venueOrderId: 'OABCDE-12345-FGHIJK' });
  const fill: Fill = Object.freeze({
    tradeId: tradeId('TXYZ-1'),
    clientOrderId: command.clientOrderId,
    venueOrderId: venueOrderId('OABCDE-12345-FGHIJK'),
    strategyId: command.strategyId,
    instrumentId: command.instrumentId,
    side: 'buy',
    quantity: new Decimal('0.00000001'),
    price: new Decimal('42123.1'),
    fee: new Decimal('1e-35'),
    feeAsset: 'USD',
    liquidity: 'maker',
    time: time + 1500.25,
  });
  const filled = order({ ...command, status: 'filled', venueOrderId: 'OABCDE-12345-FGHIJK', filledQuantity: '0.00000001', averageFillPrice: '42123.1', fees: { USD: '1e-35', $odd: '-0' }, updatedAt: time + 2000 });
  const open = position({ quantity: '0.00000001', averageEntryPrice: '42123.1', feesPaid: '0.0000000000000000000000000000000000001' });
  const closed = position({ quantity: 0, realizedPnl: '-123456789012345678901234567890.123456789', feesPaid: '0.5' });
  const outcome = tradeOutcome({ netPnl: '-1.25', fees: '0.0042' });
  const events: EveryType = {
    'engine-started': { type: 'engine-started', time, mode: 'live' },
    'order-submitted': { type: 'order-submitted', time, ...ids, order: order({ ...command, status: 'submitted' }), command },
    'order-denied': { type: 'order-denied', time, ...ids, order: order({ ...command, status: 'denied', reason: 'too big' }), code: 'max-position', reason: 'too big', policy: 'max-position' },
    'order-accepted': { type: 'order-accepted', time, ...ids, order: accepted },
    'order-rejected': { type: 'order-rejected', time, ...ids, order: order({ ...command, status: 'rejected', reason: 'EOrder:Insufficient funds' }), reason: 'EOrder:Insufficient funds' },
    'order-filled': { type: 'order-filled', time: fill.time, ...ids, order: filled, fill },
    'order-cancel-requested': { type: 'order-cancel-requested', time, ...ids, order: order({ ...command, status: 'pending-cancel' }) },
    'order-cancel-rejected': { type: 'order-cancel-rejected', time, ...ids, order: accepted, reason: 'EOrder:Unknown order' },
    'order-canceled': { type: 'order-canceled', time, ...ids, order: order({ ...command, status: 'canceled' }) },
    'order-expired': { type: 'order-expired', time, ...ids, order: order({ ...command, status: 'expired' }) },
    'position-opened': { type: 'position-opened', time, position: open },
    'position-changed': { type: 'position-changed', time, position: open, fill },
    'position-closed': { type: 'position-closed', time, position: closed, roundTrip: outcome.roundTrip, strategyId: strategyId('test-strategy') },
    'trading-state-changed': { type: 'trading-state-changed', time, from: 'active', to: 'halted', reason: 'max drawdown 10% reached' },
    'strategy-state-changed': { type: 'strategy-state-changed', time, strategyId: strategyId('test-strategy'), key: 'exits:BTC/USD', value: { openedAt: time, steps: [true, false], $decimal: '1.5', high: 42123.1, note: null } },
    'engine-stopped': { type: 'engine-stopped', time, reason: 'SIGTERM' },
  };
  return Object.values(events).map((event, index) => Object.freeze({ ...event, sequence: index + 1 }) as JournaledEvent);
}
