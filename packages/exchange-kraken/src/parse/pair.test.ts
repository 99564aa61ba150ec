import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toKrakenPair } from './pair.js';

describe('toKrakenPair', () => {
  it('builds the REST altname from an instrument id', () => {
    expect(toKrakenPair('BTC/USD')).toBe('XBTUSD');
    expect(toKrakenPair('DOGE/USDT')).toBe('XDGUSDT');
    expect(toKrakenPair('ETH/BTC')).toBe('ETHXBT');
    expect(toKrakenPair('LTC/USDT')).toBe('LTCUSDT');
    expect(toKrakenPair('eth/eur')).toBe('ETHEUR');
  });

  it('refuses something that is not BASE/QUOTE', () => {
    expect(() => toKrakenPair('XBTUSD')).toThrow(/expected BASE\/QUOTE/);
  });
});

// Recorded order payloads live in the shared data folder beside the repository.
describe.skipIf(!process.env.KBOT_SHARED_DATA)('toKrakenPair against recorded Kraken orders', () => {
  it('gives the pair names Kraken echoes in descr.pair', () => {
    const file = join(process.env.KBOT_SHARED_DATA ?? '', 'rest/kraken/recorded-responses.json');
    const text = readFileSync(file, 'utf8');
    const echoed = new Set([...text.matchAll(/"pair": "([A-Z]+)"/g)].map((match) => match[1]));
    expect([...echoed].sort()).toEqual(['LTCUSDT', 'XRPUSD']);
    expect(toKrakenPair('LTC/USDT')).toBe('LTCUSDT');
    expect(toKrakenPair('XRP/USD')).toBe('XRPUSD');
    // OHLC, Trades and Ticker were requested and keyed as XBTUSDT.
    expect(text).toContain('"XBTUSDT"');
    expect(toKrakenPair('BTC/USDT')).toBe('XBTUSDT');
  });
});
