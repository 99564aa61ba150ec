import { describe, expect, it } from 'vitest';
import { defineInstrument, krakenSpotInstruments, ConfigError } from '@kbot/core';
import { parseAsset } from '../parse/asset.js';
import { assetPairAliases, parseAssetPairs } from '../parse/asset-pairs.js';
import type { AssetPairsResult } from '../rest/types.js';
import { krakenAssetCode, krakenPairNames } from './kraken-names.js';
import { PairCatalog } from './pair-catalog.js';

const instruments = krakenSpotInstruments();
const byId = (id: string) => instruments.find((instrument) => instrument.id === id)!;

describe('krakenPairNames', () => {
  it("gives each pair Kraken's key, altname, wsname and v2 symbol", () => {
    expect(krakenPairNames(byId('BTC/USD'))).toEqual({ key: 'XXBTZUSD', altname: 'XBTUSD', wsname: 'XBT/USD', symbol: 'BTC/USD', baseCode: 'XXBT', quoteCode: 'ZUSD' });
    expect(krakenPairNames(byId('ETH/BTC'))).toMatchObject({ key: 'XETHXXBT', altname: 'ETHXBT', wsname: 'ETH/XBT' });
    expect(krakenPairNames(byId('SOL/USD'))).toMatchObject({ key: 'SOLUSD', altname: 'SOLUSD', baseCode: 'SOL', quoteCode: 'ZUSD' });
    expect(krakenPairNames(byId('BTC/USDT'))).toMatchObject({ key: 'XBTUSDT', altname: 'XBTUSDT', quoteCode: 'USDT' });
    expect(krakenPairNames(byId('USDT/USD'))).toMatchObject({ key: 'USDTZUSD', altname: 'USDTUSD' });
    expect(krakenPairNames(byId('DOGE/USD'))).toMatchObject({ key: 'XDGUSD', altname: 'XDGUSD', wsname: 'XDG/USD', baseCode: 'XXDG' });
  });

  it('uses asset codes that the adapter parses back to the same asset', () => {
    for (const asset of ['BTC', 'ETH', 'USD', 'EUR', 'DOGE', 'SOL', 'USDT', 'USDC', 'XRP', 'LTC', 'BONK']) expect(parseAsset(krakenAssetCode(asset))).toBe(asset);
  });
});

describe('PairCatalog', () => {
  const catalog = new PairCatalog(instruments);
  const assetPairs = Object.fromEntries(catalog.list().map((pair) => [pair.names.key, catalog.assetPair(pair)])) as unknown as AssetPairsResult;

  it("serves AssetPairs that the adapter's parser turns back into the same order rules, for every core instrument", () => {
    const parsed = parseAssetPairs(assetPairs);
    expect(parsed.map((instrument) => instrument.id).sort()).toEqual(instruments.map((instrument) => instrument.id).sort());
    for (const instrument of parsed) {
      const original = byId(instrument.id);
      expect(instrument.pricePrecision).toBe(original.pricePrecision);
      expect(instrument.quantityPrecision).toBe(original.quantityPrecision);
      expect(instrument.priceIncrement.equals(original.priceIncrement)).toBe(true);
      expect(instrument.minQuantity.equals(original.minQuantity)).toBe(true);
      expect(instrument.minCost.equals(original.minCost)).toBe(true);
      expect(instrument.venueSymbol).toBe(original.venueSymbol);
    }
  });

  it("finds a pair by every alias the adapter's alias table knows", () => {
    const aliases = assetPairAliases(assetPairs);
    for (const [name, id] of aliases) expect(catalog.find(name)?.symbol).toBe(id);
    expect(catalog.find('xbtusd')?.symbol).toBe('BTC/USD');
    expect(catalog.find('BTCUSD')).toBeUndefined();
  });

  it('refuses an instrument whose tick is not a multiple of its precision', () => {
    expect(() => new PairCatalog([defineInstrument({ id: 'ABC/USD', pricePrecision: 1, quantityPrecision: 2, priceIncrement: '0.05' })])).toThrow(ConfigError);
  });
});
