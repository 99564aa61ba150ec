import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExchangeError, type Instrument } from '@kbot/core';
import type { AssetPairInfo, AssetPairsResult } from '../rest/types.js';
import { assetPairAliases, feeRateAt, parseAssetPair, parseAssetPairs } from './asset-pairs.js';
import { toKrakenPair } from './pair.js';

// Spec §5.4, captured BTC/USD.
const SPEC_EXAMPLE: AssetPairsResult = JSON.parse(`{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","aclass_base":"currency","base":"XXBT",
 "aclass_quote":"currency","quote":"ZUSD","lot":"unit","cost_decimals":5,"pair_decimals":1,
 "lot_decimals":8,"lot_multiplier":1,"leverage_buy":[2,3,4,5],"leverage_sell":[2,3,4,5],
 "fees":[[0,0.4],[10000,0.35],[50000,0.24],[100000,0.22],[250000,0.2],[500000,0.18],[1000000,0.16],[2500000,0.14],[5000000,0.12],[10000000,0.1]],
 "fees_maker":[[0,0.25],[10000,0.2],[50000,0.14],[100000,0.12],[250000,0.1],[500000,0.08],[1000000,0.06],[2500000,0.04],[5000000,0.02],[10000000,0.0]],
 "fee_volume_currency":"ZUSD","margin_call":80,"margin_stop":40,"ordermin":"0.0001",
 "costmin":"0.5","tick_size":"0.1","status":"online"}}`);

const btcUsd = SPEC_EXAMPLE.XXBTZUSD!;

function text(instrument: Instrument): Record<string, unknown> {
  return {
    id: instrument.id,
    base: instrument.base,
    quote: instrument.quote,
    venueSymbol: instrument.venueSymbol,
    pricePrecision: instrument.pricePrecision,
    quantityPrecision: instrument.quantityPrecision,
    priceIncrement: instrument.priceIncrement.toFixed(),
    quantityIncrement: instrument.quantityIncrement.toFixed(),
    minQuantity: instrument.minQuantity.toFixed(),
    minCost: instrument.minCost.toFixed(),
    makerFee: instrument.makerFee.toFixed(),
    takerFee: instrument.takerFee.toFixed(),
    status: instrument.status,
  };
}

describe('parseAssetPairs', () => {
  it('turns the spec example into BTC/USD with Kraken tick, lot, minimums and starter fees', () => {
    const [instrument] = parseAssetPairs(SPEC_EXAMPLE);
    expect(text(instrument!)).toEqual({
      id: 'BTC/USD',
      base: 'BTC',
      quote: 'USD',
      venueSymbol: 'XBTUSD',
      pricePrecision: 1,
      quantityPrecision: 8,
      priceIncrement: '0.1',
      quantityIncrement: '0.00000001',
      minQuantity: '0.0001',
      minCost: '0.5',
      makerFee: '0.0025',
      takerFee: '0.004',
      status: 'online',
    });
  });

  it.each([
    [9_999.99, '0.0025', '0.004'],
    [10_000, '0.002', '0.0035'],
    ['60000', '0.0014', '0.0024'],
    [250_000, '0.001', '0.002'],
    [9_999_999, '0.0002', '0.0012'],
    [10_000_000, '0', '0.001'],
    ['1e9', '0', '0.001'],
  ])('at a 30-day volume of %s charges maker %s and taker %s', (thirtyDayVolume, maker, taker) => {
    const [instrument] = parseAssetPairs(SPEC_EXAMPLE, { thirtyDayVolume });
    expect(instrument!.makerFee.toFixed()).toBe(maker);
    expect(instrument!.takerFee.toFixed()).toBe(taker);
  });

  it('accepts numbers sent as strings and ignores fields it does not know', () => {
    const pair = {
      ...btcUsd,
      pair_decimals: '2',
      lot_decimals: '6',
      ordermin: 0.0002,
      tick_size: 0.01,
      fees: [['0', '0.26']],
      fees_maker: [['0', '0.16']],
      brand_new_field: { nested: true },
    } as unknown as AssetPairInfo;
    expect(text(parseAssetPair('XXBTZUSD', pair))).toMatchObject({
      pricePrecision: 2,
      quantityPrecision: 6,
      priceIncrement: '0.01',
      quantityIncrement: '0.000001',
      minQuantity: '0.0002',
      makerFee: '0.0016',
      takerFee: '0.0026',
    });
  });

  it('falls back to one unit of pair_decimals without tick_size, zero minimums and taker rates for makers', () => {
    const { tick_size: _tick, costmin: _cost, ordermin: _min, fees_maker: _maker, ...older } = btcUsd;
    expect(text(parseAssetPair('XXBTZUSD', older))).toMatchObject({ priceIncrement: '0.1', minQuantity: '0', minCost: '0', makerFee: '0.004', takerFee: '0.004' });
  });

  it.each([
    ['online', 'online'],
    ['cancel_only', 'cancel-only'],
    ['post_only', 'post-only'],
    ['limit_only', 'limit-only'],
    ['reduce_only', 'reduce-only'],
    ['maintenance', 'offline'],
    ['delisted', 'offline'],
    [undefined, 'online'],
  ])('maps status %s to %s', (status, expected) => {
    const { status: _status, ...rest } = btcUsd;
    expect(parseAssetPair('XXBTZUSD', status === undefined ? rest : { ...rest, status }).status).toBe(expected);
  });

  it('leaves out dark-pool pairs', () => {
    const result = { ...SPEC_EXAMPLE, 'XXBTZUSD.d': { ...btcUsd, altname: 'XBTUSD.d' } };
    expect(parseAssetPairs(result).map((instrument) => instrument.id)).toEqual(['BTC/USD']);
  });

  it('names the pair, field and value of a bad entry', () => {
    const broken = { XXBTZUSD: { ...btcUsd, pair_decimals: 'one' } } as unknown as AssetPairsResult;
    expect(() => parseAssetPairs(broken)).toThrow(ExchangeError);
    expect(() => parseAssetPairs(broken)).toThrow('Kraken AssetPairs XXBTZUSD.pair_decimals: received "one", expected a whole number');
    const badFee = { XXBTZUSD: { ...btcUsd, fees: [[0]] } } as unknown as AssetPairsResult;
    expect(() => parseAssetPairs(badFee)).toThrow('Kraken AssetPairs XXBTZUSD.fees[0]: received [0], expected [volume, percent]');
    const badMinimum = { XXBTZUSD: { ...btcUsd, ordermin: 'lots' } } as unknown as AssetPairsResult;
    expect(() => parseAssetPairs(badMinimum)).toThrow('Kraken AssetPairs XXBTZUSD.ordermin: received "lots", expected a decimal');
  });

  it('can skip and report bad pairs instead of failing the list', () => {
    const result = { ...SPEC_EXAMPLE, BROKEN: { ...btcUsd, base: '' } } as unknown as AssetPairsResult;
    const reported: string[] = [];
    const instruments = parseAssetPairs(result, { onInvalidPair: (pairKey, error) => reported.push(`${pairKey}: ${error.message}`) });
    expect(instruments.map((instrument) => instrument.id)).toEqual(['BTC/USD']);
    expect(reported).toEqual(['BROKEN: Kraken AssetPairs BROKEN.base: received "", expected a non-empty string']);
  });
});

describe('feeRateAt', () => {
  it('picks the highest threshold reached, whatever the listed order', () => {
    expect(feeRateAt([[50_000, 0.24], [0, 0.4], [10_000, 0.35]], 20_000)!.toFixed()).toBe('0.0035');
    expect(feeRateAt([[10_000, 0.35]], 5)).toBeUndefined();
  });
});

describe('assetPairAliases', () => {
  it('maps the pair key, altname, wsname and v2 symbol to the instrument id', () => {
    const aliases = assetPairAliases(SPEC_EXAMPLE);
    for (const name of ['XXBTZUSD', 'XBTUSD', 'XBT/USD', 'BTC/USD']) expect(aliases.get(name)).toBe('BTC/USD');
  });
});

// The recorded AssetPairs response (2021-04-17, 304 pairs) lives in the shared data folder beside the repository.
describe.skipIf(!process.env.KBOT_SHARED_DATA)('parseAssetPairs on a recorded AssetPairs response', () => {
  const load = (): AssetPairsResult => {
    const file = join(process.env.KBOT_SHARED_DATA ?? '', 'ws/kraken/v1-cryptofeed-2021-04-17/KRAKEN.0');
    const firstLine = readFileSync(file, 'utf8').split('\n')[0]!;
    const json = firstLine.replace(/^\S+ -> [0-9.]+: /, '');
    const envelope = JSON.parse(json) as { error: string[]; result: AssetPairsResult };
    expect(envelope.error).toEqual([]);
    return envelope.result;
  };

  it('parses every lit pair, with unique ids, and leaves out the 11 dark pools', () => {
    const result = load();
    expect(Object.keys(result)).toHaveLength(304);
    const instruments = parseAssetPairs(result);
    expect(instruments).toHaveLength(293);
    expect(new Set(instruments.map((instrument) => instrument.id)).size).toBe(293);
    for (const instrument of instruments) expect(instrument.id).toMatch(/^[A-Z0-9.]+\/[A-Z0-9.]+$/);
  });

  it('normalises legacy and Kraken-specific asset codes', () => {
    const byKey = new Map(Object.entries(load()).map(([key, pair]) => [key, parseAssetPair(key, pair)]));
    expect(byKey.get('XXBTZUSD')!.id).toBe('BTC/USD');
    expect(byKey.get('XXDGXXBT')!.id).toBe('DOGE/BTC');
    expect(byKey.get('XDGUSDT')!.id).toBe('DOGE/USDT');
    expect(byKey.get('XETHXXBT')!.id).toBe('ETH/BTC');
    expect(byKey.get('XXMRZUSD')!.id).toBe('XMR/USD');
    expect(byKey.get('XBTCHF')!.id).toBe('BTC/CHF');
    expect(byKey.get('ADAXBT')!.id).toBe('ADA/BTC');
    expect(byKey.get('WAVESEUR')!.id).toBe('WAVES/EUR');
    expect(byKey.get('AAVEAUD')!.id).toBe('AAVE/AUD');
  });

  it('reads the 2021 minimums and the older 0.16 % / 0.26 % schedule', () => {
    const instruments = new Map<string, Instrument>(parseAssetPairs(load(), { thirtyDayVolume: 0 }).map((instrument) => [instrument.id, instrument]));
    expect(text(instruments.get('BTC/USD')!)).toMatchObject({
      venueSymbol: 'XBTUSD',
      pricePrecision: 1,
      priceIncrement: '0.1',
      minQuantity: '0.0002',
      minCost: '0',
      makerFee: '0.0016',
      takerFee: '0.0026',
    });
    expect(text(instruments.get('ADA/BTC')!)).toMatchObject({ pricePrecision: 8, priceIncrement: '0.00000001', minQuantity: '25' });
    const whale = new Map<string, Instrument>(parseAssetPairs(load(), { thirtyDayVolume: 10_000_000 }).map((instrument) => [instrument.id, instrument]));
    expect(whale.get('BTC/USD')!.makerFee.toFixed()).toBe('0');
    expect(whale.get('BTC/USD')!.takerFee.toFixed()).toBe('0.001');
  });

  it('round-trips every instrument id to its altname and its wsname to its id', () => {
    const result = load();
    const aliases = assetPairAliases(result);
    for (const [key, pair] of Object.entries(result)) {
      if (key.endsWith('.d')) continue;
      const instrument = parseAssetPair(key, pair);
      expect(toKrakenPair(instrument.id)).toBe(pair.altname);
      expect(aliases.get(pair.wsname!)).toBe(instrument.id);
    }
  });
});
