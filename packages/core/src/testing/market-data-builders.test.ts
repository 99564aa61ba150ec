import { describe, expect, it } from 'vitest';
import { btcUsd, krakenInstrument } from './instrument-fixtures.js';
import { bar, bars, book, quote, TEST_START_TIME } from './market-data-builders.js';
import { order, position, submitOrder } from './order-builders.js';
import { sampleJournal } from './journal-builder.js';
import { tradeOutcome } from './trade-outcome-builder.js';

describe('builders', () => {
  it('bars() chains opens to the previous close on consecutive intervals', () => {
    const series = bars([100, 102, 101], { instrument: 'eth/usd', interval: '5m', start: 0, volume: 3 });
    expect(series.map((item) => [item.instrumentId, item.openTime, item.open, item.high, item.low, item.close, item.volume, item.interval])).toEqual([
      ['ETH/USD', 0, 100, 100, 100, 100, 3, 300_000],
      ['ETH/USD', 300_000, 100, 102, 100, 102, 3, 300_000],
      ['ETH/USD', 600_000, 102, 102, 101, 101, 3, 300_000],
    ]);
    expect(Object.isFrozen(series[0])).toBe(true);
  });

  it('refuse inconsistent input, naming the field and value', () => {
    expect(() => bar({ open: 100, close: 101, high: 100.5 })).toThrow(/bar\.high: received 100\.5/);
    expect(() => bar({ close: -1 })).toThrow(/bar\.close: received -1, expected a number above 0/);
    expect(() => bars([1, Number.NaN])).toThrow(/closes\[1\]: received NaN/);
    expect(() => bar({ interval: '1x' })).toThrow(/interval: received "1x"/);
    expect(() => quote({ bid: 101, ask: 100 })).toThrow(/quote\.bid: received 101, expected at most the ask 100/);
    expect(() => submitOrder({ quantity: 'lots' })).toThrow(/order\.quantity/);
    expect(() => krakenInstrument('FOO/BAR')).toThrow(/FOO\/BAR.*BTC\/USD/);
  });

  it('book() sorts levels best first and answers depth queries', () => {
    const view = book({ bids: [[99, 1], [100, 2], [98, 3]], asks: [[102, 1], [101, 4]] });
    expect(view.bids().map((level) => level.price)).toEqual([100, 99, 98]);
    expect(view.asks(1)).toEqual([{ price: 101, quantity: 4 }]);
    expect(view.bestBid()?.price).toBe(100);
  });

  it('orders, positions and outcomes carry Decimal money', () => {
    const command = submitOrder({ price: '40000.5', quantity: '0.25' });
    expect([command.type, command.price?.toFixed(), command.quantity.toFixed(), command.createdAt]).toEqual(['limit', '40000.5', '0.25', TEST_START_TIME]);
    expect(submitOrder({ triggerPrice: 39_000 }).type).toBe('stop-loss');
    expect(submitOrder().clientOrderId).not.toBe(submitOrder().clientOrderId);
    const open = order({ clientOrderId: 'o', status: 'partially-filled', filledQuantity: '0.1', fees: { USD: '0.4' } });
    expect([open.status, open.filledQuantity.toFixed(), open.fees['USD']?.toFixed()]).toEqual(['partially-filled', '0.1', '0.4']);
    const held = position({ quantity: '0.2', averageEntryPrice: '30000' });
    expect(held.costBasis.toFixed()).toBe('6000');
    const outcome = tradeOutcome({ netPnl: '-3', fees: '1', quantity: '2', averageEntryPrice: '50' });
    expect([outcome.roundTrip.grossPnl.toFixed(), outcome.roundTrip.averageExitPrice.toFixed(), outcome.roundTrip.returnFraction.toFixed()]).toEqual(['-2', '49', '-0.03']);
    expect(btcUsd().minQuantity.toFixed()).toBe('0.0001');
  });

  it('sampleJournal() numbers events from 1 and cycles orders through submitted, accepted, filled', () => {
    const journal = sampleJournal(8);
    expect(journal.map((event) => `${event.sequence} ${event.type}`)).toEqual([
      '1 engine-started', '2 order-submitted', '3 order-accepted', '4 order-filled', '5 order-submitted', '6 order-accepted', '7 order-filled', '8 order-submitted',
    ]);
    const filled = journal[3]!;
    expect(filled.type === 'order-filled' && [filled.fill.side, filled.fill.price.toFixed(), filled.fill.fee.toFixed()]).toEqual(['buy', '40010', '1.0003']);
    expect(sampleJournal(2, { firstSequence: 10 }).map((event) => event.sequence)).toEqual([10, 11]);
  });
});
