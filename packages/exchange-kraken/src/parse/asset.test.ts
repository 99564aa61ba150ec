import { describe, expect, it } from 'vitest';
import { parseAsset, toKrakenAsset } from './asset.js';

describe('parseAsset', () => {
  it.each([
    ['XXBT', 'BTC'],
    ['XBT', 'BTC'],
    ['XXDG', 'DOGE'],
    ['XDG', 'DOGE'],
    ['XETH', 'ETH'],
    ['XXRP', 'XRP'],
    ['XZEC', 'ZEC'],
    ['XXLM', 'XLM'],
    ['ZUSD', 'USD'],
    ['ZEUR', 'EUR'],
    ['ZGBP', 'GBP'],
    ['ZJPY', 'JPY'],
    ['ZCAD', 'CAD'],
    ['USDT', 'USDT'],
    ['SOL', 'SOL'],
    ['BTC', 'BTC'],
  ])('%s is %s', (code, name) => {
    expect(parseAsset(code)).toBe(name);
  });

  it('leaves modern codes that start with X or Z alone', () => {
    for (const code of ['XTZ', 'XRP', 'XLM', 'XMR', 'ZEC', 'ZRX', 'ZEUS', 'XCN']) expect(parseAsset(code)).toBe(code);
  });

  it('keeps the suffix of earn and staking balances', () => {
    expect(parseAsset('XBT.M')).toBe('BTC.M');
    expect(parseAsset('XXBT.M')).toBe('BTC.M');
    expect(parseAsset('DOT.S')).toBe('DOT.S');
    expect(parseAsset('ETH2.S')).toBe('ETH2.S');
  });

  it('prefers the /Assets altname table when given one', () => {
    const assetNames = { XXBT: 'XBT', XNEW: 'NEW', ZUSD: 'USD' };
    expect(parseAsset('XNEW', { assetNames })).toBe('NEW');
    expect(parseAsset('XXBT', { assetNames })).toBe('BTC');
    expect(parseAsset('XNEW.S', { assetNames })).toBe('NEW.S');
    expect(parseAsset('XNEW')).toBe('XNEW');
  });

  it('names the problem for an empty code', () => {
    expect(() => parseAsset('')).toThrow(/Kraken asset: received "", expected an asset code/);
  });
});

describe('toKrakenAsset', () => {
  it('uses Kraken tickers for bitcoin and dogecoin only', () => {
    expect(toKrakenAsset('BTC')).toBe('XBT');
    expect(toKrakenAsset('DOGE')).toBe('XDG');
    expect(toKrakenAsset('ETH')).toBe('ETH');
    expect(toKrakenAsset('USD')).toBe('USD');
  });
});
