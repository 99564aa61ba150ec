import { defineInstrument, type Instrument } from '../model/instrument.js';

/*
 * Order rules of common Kraken spot pairs, so a backtest needs no network. Values are facts read
 * from Kraken's WebSocket v2 `instrument` snapshot (captured March 2024): price and quantity
 * precision, tick and lot size, minimum quantity and cost. Fees are the Starter tier of Kraken's
 * spot schedule (0.25% maker, 0.40% taker); the simulated venue's fee model applies the tiers.
 * A config can override or add instruments (`backtest.instruments`).
 */
// symbol, price precision, quantity precision, tick, lot, minimum quantity, minimum cost
const KRAKEN_SPOT_RULES: ReadonlyArray<readonly [string, number, number, string, string, string, string]> = [
  ['BTC/USD', 1, 8, '0.1', '0.00000001', '0.0001', '0.5'],
  ['ETH/USD', 2, 8, '0.01', '0.00000001', '0.002', '0.5'],
  ['BTC/EUR', 1, 8, '0.1', '0.00000001', '0.0001', '0.45'],
  ['ETH/EUR', 2, 8, '0.01', '0.00000001', '0.002', '0.45'],
  ['BTC/USDT', 1, 8, '0.1', '0.00000001', '0.0001', '0.5'],
  ['BTC/USDC', 2, 8, '0.01', '0.00000001', '0.0001', '0.5'],
  ['ETH/USDT', 2, 8, '0.01', '0.00000001', '0.002', '0.5'],
  ['ETH/USDC', 2, 8, '0.01', '0.00000001', '0.002', '0.5'],
  ['SOL/USD', 2, 8, '0.01', '0.00000001', '0.05', '0.5'],
  ['SOL/EUR', 2, 8, '0.01', '0.00000001', '0.05', '0.45'],
  ['AVAX/USD', 2, 8, '0.01', '0.00000001', '0.1', '0.5'],
  ['DOT/USD', 4, 8, '0.0001', '0.00000001', '0.6', '0.5'],
  ['ADA/USD', 6, 8, '0.000001', '0.00000001', '10', '0.5'],
  ['XRP/USD', 5, 8, '0.00001', '0.00000001', '10', '0.5'],
  ['LTC/USD', 2, 8, '0.01', '0.00000001', '0.05', '0.5'],
  ['NEAR/USD', 3, 8, '0.001', '0.00000001', '1.5', '0.5'],
  ['BONK/USD', 9, 5, '0.000000001', '0.00001', '400000', '0.5'],
  ['DOGE/USD', 7, 8, '0.0000001', '0.00000001', '60', '0.5'],
  ['ETH/BTC', 5, 8, '0.00001', '0.00000001', '0.002', '0.00002'],
  ['USDT/USD', 5, 8, '0.00001', '0.00000001', '10', '0.5'],
  ['USDC/USD', 4, 8, '0.0001', '0.00000001', '5', '0.5'],
  ['LINK/USD', 5, 8, '0.00001', '0.00000001', '0.2', '0.5'],
];

const KRAKEN_NAMES: Readonly<Record<string, string>> = { BTC: 'XBT', DOGE: 'XDG' };

export function krakenSpotInstruments(): Instrument[] {
  return KRAKEN_SPOT_RULES.map(([symbol, pricePrecision, quantityPrecision, tick, lot, minQuantity, minCost]) => {
    const [base, quote] = symbol.split('/') as [string, string];
    return defineInstrument({
      id: symbol,
      venueSymbol: `${KRAKEN_NAMES[base] ?? base}${KRAKEN_NAMES[quote] ?? quote}`,
      pricePrecision,
      quantityPrecision,
      priceIncrement: tick,
      quantityIncrement: lot,
      minQuantity,
      minCost,
      makerFee: '0.0025',
      takerFee: '0.004',
    });
  });
}
