import { instrumentId } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import type { TickerResult } from '../rest/types.js';
import { parseRestTicker } from './rest-ticker.js';

const BTC = instrumentId('BTC/USD');

describe('parseRestTicker', () => {
  it('takes the best bid and ask with their lot volumes, at the time the caller gives', () => {
    const result = {
      XXBTZUSD: { a: ['30300.10000', '1', '1.000'], b: ['30300.00000', '2', '2.500'], c: ['30303.20000', '0.00067643'], v: ['1', '2'], p: ['1', '2'], t: [1, 2], l: ['1', '2'], h: ['1', '2'], o: '30502.80000' },
    } as unknown as TickerResult;
    expect(parseRestTicker(result, 'XBTUSD', BTC, 1_700_000_000_000)).toEqual({ instrumentId: BTC, time: 1_700_000_000_000, bid: 30_300, bidSize: 2.5, ask: 30_300.1, askSize: 1 });
  });

  it('refuses an answer for other or several pairs, naming the field', () => {
    expect(() => parseRestTicker({} as TickerResult, 'XBTUSD', BTC, 0)).toThrow('Kraken Ticker XBTUSD: received {}, expected the ticker of that one pair');
    expect(() => parseRestTicker({ XXBTZUSD: { a: ['1', '1'], b: ['1', '1', '1'] } } as unknown as TickerResult, 'XBTUSD', BTC, 0)).toThrow(
      'Kraken Ticker XBTUSD.a: received ["1","1"], expected [price, whole lot volume, lot volume]',
    );
  });
});
