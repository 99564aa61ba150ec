import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal.js';
import type { Fill } from '../model/fill.js';
import { clientOrderId, instrumentId, strategyId, tradeId } from '../model/ids.js';
import { defineInstrument } from '../model/instrument.js';
import { Portfolio } from './portfolio.js';

const btcUsd = defineInstrument({ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8 });
let trade = 0;

function fill(side: 'buy' | 'sell', quantity: string, price: string, fee: string, feeAsset = 'USD', order = 'o1'): Fill {
  return {
    tradeId: tradeId(`t${++trade}`), clientOrderId: clientOrderId(order), venueOrderId: undefined, strategyId: strategyId('s'),
    instrumentId: instrumentId('BTC/USD'), side, quantity: new Decimal(quantity), price: new Decimal(price), fee: new Decimal(fee),
    feeAsset, liquidity: 'taker', time: trade * 1000,
  };
}

describe('Portfolio', () => {
  it('moves balances exactly on a buy and a sell, fees taken from the fee asset', () => {
    const portfolio = new Portfolio({ USD: '10000' });
    portfolio.applyFill(fill('buy', '0.5', '20000.1', '40.0002'), btcUsd);
    expect(portfolio.balanceTotal('USD').toFixed()).toBe('-40.0502');
    expect(portfolio.balanceTotal('BTC').toFixed()).toBe('0.5');
    portfolio.applyFill(fill('sell', '0.5', '21000', '42'), btcUsd);
    expect(portfolio.balanceTotal('BTC').isZero()).toBe(true);
    // 10000 − 10000.05 − 40.0002 + 10500 − 42
    expect(portfolio.balanceTotal('USD').toFixed()).toBe('10417.9498');
  });

  it('averages the entry price over several buys and realizes P&L against it', () => {
    const portfolio = new Portfolio({ USD: '100000' });
    portfolio.applyFill(fill('buy', '1', '100', '0'), btcUsd);
    const change = portfolio.applyFill(fill('buy', '3', '200', '0'), btcUsd);
    expect(change.kind).toBe('changed');
    expect(change.position.averageEntryPrice.toFixed()).toBe('175');
    const partial = portfolio.applyFill(fill('sell', '2', '150', '0'), btcUsd);
    expect(partial.position.realizedPnl.toFixed()).toBe('-50');
    expect(partial.position.quantity.toFixed()).toBe('2');
    expect(partial.position.averageEntryPrice.toFixed()).toBe('175');
  });

  it('closes a round trip from flat to flat with gross, fees and net P&L', () => {
    const portfolio = new Portfolio({ USD: '100000' });
    const opened = portfolio.applyFill(fill('buy', '2', '100', '0.8', 'USD', 'entry'), btcUsd);
    expect(opened.kind).toBe('opened');
    portfolio.applyFill(fill('sell', '1', '110', '0.44'), btcUsd);
    const closed = portfolio.applyFill(fill('sell', '1', '120', '0.48'), btcUsd);
    expect(closed.kind).toBe('closed');
    if (closed.kind !== 'closed') return;
    expect(closed.entryOrderId).toBe('entry');
    expect(closed.roundTrip.grossPnl.toFixed()).toBe('30');
    expect(closed.roundTrip.fees.toFixed()).toBe('1.72');
    expect(closed.roundTrip.netPnl.toFixed()).toBe('28.28');
    expect(closed.roundTrip.averageExitPrice.toFixed()).toBe('115');
    expect(closed.roundTrip.fills).toBe(3);
    expect(closed.roundTrip.returnFraction.toFixed()).toBe('0.1414');
    expect(portfolio.position(instrumentId('BTC/USD'))).toBeUndefined();
    expect(portfolio.roundTrips()).toHaveLength(1);
  });

  it('values a fee paid in the base asset at the fill price', () => {
    const portfolio = new Portfolio({ USD: '1000' });
    portfolio.applyFill(fill('buy', '1', '100', '0.004', 'BTC'), btcUsd);
    expect(portfolio.balanceTotal('BTC').toFixed()).toBe('0.996');
    expect(portfolio.feesPaid('USD').toFixed()).toBe('0.4');
  });

  it('moves the position by what a fee in the base asset leaves in the balance, and closes it exactly', () => {
    const portfolio = new Portfolio({ USD: '100000' });
    const bought = portfolio.applyFill(fill('buy', '1', '40000', '0.004', 'BTC'), btcUsd);
    // The position is what is held: selling "the position's quantity" is always possible.
    expect(bought.position.quantity.toFixed()).toBe('0.996');
    expect(portfolio.balanceTotal('BTC').toFixed()).toBe('0.996');
    expect(bought.position.averageEntryPrice.toFixed()).toBe('40000');
    // A sale of 0.5 with a fee of 0.002 BTC gives up 0.502 BTC.
    const partly = portfolio.applyFill(fill('sell', '0.5', '41000', '0.002', 'BTC'), btcUsd);
    expect(partly.position.quantity.toFixed()).toBe(portfolio.balanceTotal('BTC').toFixed());
    expect(partly.position.quantity.toFixed()).toBe('0.494');
    const closed = portfolio.applyFill(fill('sell', '0.494', '42000', '0.0019', 'USD'), btcUsd);
    expect(closed.kind).toBe('closed');
    expect(portfolio.balanceTotal('BTC').isZero()).toBe(true);
    expect(portfolio.position(instrumentId('BTC/USD'))).toBeUndefined();
    // Fees counted once: 0.004 × 40000 + 0.002 × 41000 + 0.0019; P&L on every unit that left.
    const trip = portfolio.roundTrips()[0]!;
    expect(trip.fees.toFixed()).toBe('242.0019');
    expect(trip.grossPnl.toFixed()).toBe('1490');
    // The accounting identity in quote: the start + gross P&L − fees = the quote balance now.
    expect(portfolio.balanceTotal('USD').toFixed()).toBe(new Decimal('100000').plus(trip.grossPnl).minus(trip.fees).toFixed());
  });

  it('keeps the accounting identity: quote now = start + realized − fees − cost of the open position', () => {
    const portfolio = new Portfolio({ USD: '5000' });
    const fills = [fill('buy', '0.3', '100.5', '0.12'), fill('sell', '0.1', '101.7', '0.04'), fill('buy', '0.25', '99.9', '0.1'), fill('sell', '0.2', '98.3', '0.08')];
    for (const each of fills) portfolio.applyFill(each, btcUsd);
    const position = portfolio.position(instrumentId('BTC/USD'))!;
    const expected = new Decimal('5000').plus(portfolio.realizedPnl('USD')).minus(portfolio.feesPaid('USD')).minus(position.costBasis);
    expect(portfolio.balanceTotal('USD').equals(expected)).toBe(true);
  });

  it('closes a trip of partial sales to the last digit: gross P&L is what the sales brought less what the buys cost', () => {
    const portfolio = new Portfolio({ USD: '100000' });
    // Quantities whose shares of the cost basis do not terminate (thirds, sevenths).
    const buys = [fill('buy', '0.03', '16543.7', '1.98'), fill('buy', '0.04', '16551.3', '2.64')];
    const sells = [['0.01', '16601.1'], ['0.02', '16590.4'], ['0.013', '16610.9'], ['0.007', '16588.2'], ['0.02', '16620.3']].map(([quantity, price]) => fill('sell', quantity!, price!, '0.5'));
    let change;
    for (const each of [...buys, ...sells]) {
      change = portfolio.applyFill(each, btcUsd);
      const position = portfolio.position(instrumentId('BTC/USD'));
      // The identity holds exactly after every fill, not only at the end.
      const expected = new Decimal('100000').plus(portfolio.realizedPnl('USD')).minus(portfolio.feesPaid('USD')).minus(position?.costBasis ?? 0);
      expect(portfolio.balanceTotal('USD').toFixed()).toBe(expected.toFixed());
    }
    expect(change!.kind).toBe('closed');
    const trip = portfolio.roundTrips()[0]!;
    const cost = buys.reduce((sum, each) => sum.plus(each.quantity.times(each.price)), new Decimal(0));
    const proceeds = sells.reduce((sum, each) => sum.plus(each.quantity.times(each.price)), new Decimal(0));
    expect(trip.grossPnl.toFixed()).toBe(proceeds.minus(cost).toFixed());
    expect(trip.grossPnl.toFixed()).toBe('3.9211');
    expect(portfolio.realizedPnl('USD').toFixed()).toBe('3.9211');
  });

  it('charges a trip only its share of the fee of a sale that also sells inventory held before', () => {
    const portfolio = new Portfolio({ USD: '10000', BTC: '1' });
    portfolio.applyFill(fill('buy', '0.1', '100', '0.04'), btcUsd);
    // Sells 0.3: 0.1 closes the trip, 0.2 is the inventory the bot started with.
    const change = portfolio.applyFill(fill('sell', '0.3', '110', '0.132'), btcUsd);
    expect(change.kind).toBe('closed');
    const trip = portfolio.roundTrips()[0]!;
    expect(trip.fees.toFixed()).toBe('0.084');
    expect(trip.netPnl.toFixed()).toBe('0.916');
    // The position's fees keep the whole fee, and balances move by all of it.
    expect(portfolio.feesPaid('USD').toFixed()).toBe('0.172');
    expect(portfolio.balanceTotal('USD').toFixed()).toBe('10022.828');
  });

  it('selling inventory it never bought moves balances but realizes nothing', () => {
    const portfolio = new Portfolio({ USD: '0', BTC: '1' });
    portfolio.applyFill(fill('sell', '0.5', '100', '0.2'), btcUsd);
    expect(portfolio.balanceTotal('USD').toFixed()).toBe('49.8');
    expect(portfolio.realizedPnl('USD').isZero()).toBe(true);
    expect(portfolio.roundTrips()).toHaveLength(0);
  });
});
