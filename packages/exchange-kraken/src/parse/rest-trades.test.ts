import { instrumentId } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import type { TradesResult } from '../rest/types.js';
import { parseRestTrades } from './rest-trades.js';

const BTC = instrumentId('BTC/USD');

describe('parseRestTrades', () => {
  it("reads Kraken's documented example: taker side, whole-millisecond times, trade ids, and the cursor verbatim", () => {
    // Spec §5.8, the docs example.
    const result = {
      XXBTZUSD: [
        ['30243.40000', '0.34507674', 1688669597.8277369, 'b', 'm', '', 61044952],
        ['30243.30000', '0.00376960', 1688669598.2804112, 's', 'l', '', 61044953],
      ],
      last: '1688671969993150842',
    } as unknown as TradesResult;
    expect(parseRestTrades(result, 'XBTUSD', BTC)).toEqual({
      trades: [
        { instrumentId: BTC, time: 1688669597828, price: 30243.4, quantity: 0.34507674, side: 'buy', tradeId: '61044952' },
        { instrumentId: BTC, time: 1688669598280, price: 30243.3, quantity: 0.0037696, side: 'sell', tradeId: '61044953' },
      ],
      last: '1688671969993150842',
    });
  });

  it('names the row of a trade without a usable id, and a missing cursor', () => {
    const bad = { XXBTZUSD: [['1', '1', 1, 'b', 'm', '', 'x']], last: '1' } as unknown as TradesResult;
    expect(() => parseRestTrades(bad, 'XBTUSD', BTC)).toThrow('Kraken Trades XBTUSD[0][6] (trade_id): received "x", expected a whole number');
    expect(() => parseRestTrades({ XXBTZUSD: [], last: '' } as unknown as TradesResult, 'XBTUSD', BTC)).toThrow('Kraken Trades XBTUSD.last: received "", expected the cursor of the next page');
  });
});
