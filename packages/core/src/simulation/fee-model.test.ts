import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal.js';
import { defineInstrument } from '../model/instrument.js';
import { krakenAssetDecimals } from './asset-decimals.js';
import { FixedFeeModel, InstrumentFeeModel, KRAKEN_SPOT_FEE_TIERS, KrakenSpotFeeModel } from './fee-model.js';

const BTC_USD = defineInstrument({ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, makerFee: '0.0016', takerFee: '0.0026' });
const rates = (model: KrakenSpotFeeModel, volume: string) =>
  [model.rate(BTC_USD, 'maker', new Decimal(volume)).toFixed(), model.rate(BTC_USD, 'taker', new Decimal(volume)).toFixed()];

describe('KrakenSpotFeeModel', () => {
  it('charges the Starter rates below 10,000 and the next tier from exactly 10,000', () => {
    const model = new KrakenSpotFeeModel();
    expect(rates(model, '0')).toEqual(['0.0025', '0.004']);
    expect(rates(model, '9999.99')).toEqual(['0.0025', '0.004']);
    expect(rates(model, '10000')).toEqual(['0.002', '0.0035']);
  });

  it('follows the whole §10 schedule up to 0% maker / 0.10% taker', () => {
    const model = new KrakenSpotFeeModel();
    expect(rates(model, '50000')).toEqual(['0.0014', '0.0024']);
    expect(rates(model, '249999')).toEqual(['0.0012', '0.0022']);
    expect(rates(model, '2500000')).toEqual(['0.0004', '0.0014']);
    expect(rates(model, '10000000')).toEqual(['0', '0.001']);
    expect(rates(model, '999999999')).toEqual(['0', '0.001']);
    expect(KRAKEN_SPOT_FEE_TIERS).toHaveLength(10);
  });

  it('accepts a custom schedule in any order and refuses one without a zero tier', () => {
    const model = new KrakenSpotFeeModel([
      { minimumVolume: new Decimal(50000), maker: new Decimal('0.0014'), taker: new Decimal('0.0024') },
      { minimumVolume: new Decimal(0), maker: new Decimal('0.0016'), taker: new Decimal('0.0026') },
    ]);
    expect(rates(model, '49999')).toEqual(['0.0016', '0.0026']);
    expect(rates(model, '50000')).toEqual(['0.0014', '0.0024']);
    expect(() => new KrakenSpotFeeModel([{ minimumVolume: new Decimal(1), maker: new Decimal(0), taker: new Decimal(0) }])).toThrow(/lowest minimumVolume is 1, expected 0/);
    expect(() => new KrakenSpotFeeModel([])).toThrow(/expected at least one tier/);
  });
});

describe('FixedFeeModel and InstrumentFeeModel', () => {
  it('returns the fixed rates whatever the volume', () => {
    const model = new FixedFeeModel('0.001', '0.002');
    expect(model.rate(BTC_USD, 'maker').toFixed()).toBe('0.001');
    expect(model.rate(BTC_USD, 'taker').toFixed()).toBe('0.002');
  });

  it('refuses rates that are not fractions below 1', () => {
    expect(() => new FixedFeeModel('-0.001', '0.002')).toThrow(/FixedFeeModel maker: received -0.001/);
    expect(() => new FixedFeeModel('0.001', '1')).toThrow(/FixedFeeModel taker: received 1/);
  });

  it('reads the instrument\'s own rates', () => {
    const model = new InstrumentFeeModel();
    expect(model.rate(BTC_USD, 'maker').toFixed()).toBe('0.0016');
    expect(model.rate(BTC_USD, 'taker').toFixed()).toBe('0.0026');
  });
});

describe('krakenAssetDecimals', () => {
  it('uses Kraken\'s asset precision: fiat 4, JPY 2, BTC 10, stablecoins 8, unknown 8', () => {
    expect(['USD', 'EUR', 'GBP', 'CAD', 'JPY', 'BTC', 'usdt', 'NEWCOIN'].map(krakenAssetDecimals)).toEqual([4, 4, 4, 4, 2, 10, 8, 8]);
  });
});
