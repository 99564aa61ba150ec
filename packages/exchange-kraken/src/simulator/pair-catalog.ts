import { ConfigError, KRAKEN_SPOT_FEE_TIERS, krakenAssetDecimals, type Decimal, type FeeTier, type Instrument, type InstrumentStatus } from '@kbot/core';
import { isFiatAsset, krakenAssetClass, krakenAssetCode, krakenPairNames, type KrakenPairNames } from './kraken-names.js';
import { formatUnits, unitScale } from './wire-format.js';

const STABLECOINS = new Set(['USDT', 'USDC', 'DAI', 'PYUSD', 'TUSD', 'EURT', 'USDG']);

const KRAKEN_STATUS: Readonly<Record<InstrumentStatus, string>> = {
  online: 'online',
  'cancel-only': 'cancel_only',
  'post-only': 'post_only',
  'limit-only': 'limit_only',
  'reduce-only': 'reduce_only',
  offline: 'maintenance',
};

function integerUnits(value: Decimal, decimals: number, field: string): number {
  const units = value.times(unitScale(decimals));
  if (!units.isInteger() || units.lessThanOrEqualTo(0)) {
    throw new ConfigError([{ path: field, received: value.toFixed(), expected: `a positive multiple of 1e-${decimals} (the pair's precision)` }]);
  }
  return units.toNumber();
}

/**
 * One tradable pair as the simulator serves it: the kbot instrument (order rules), its Kraken
 * names, and the fixed precisions every price, quantity and cost is printed with.
 */
export class SimPair {
  readonly names: KrakenPairNames;
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  /**
   * Decimals of costs and fees in order and trade objects (AssetPairs `cost_decimals`). Kraken
   * shows 5 for fiat and stablecoin quotes; crypto quotes get 10.
   */
  readonly costDecimals: number;
  /** The tick in price units (1 when tick = 10^-priceDecimals). */
  readonly tickUnits: number;
  readonly lotUnits: number;
  readonly minQtyUnits: number;

  constructor(readonly instrument: Instrument) {
    this.names = krakenPairNames(instrument);
    this.priceDecimals = instrument.pricePrecision;
    this.qtyDecimals = instrument.quantityPrecision;
    this.costDecimals = isFiatAsset(instrument.quote) || STABLECOINS.has(instrument.quote) ? 5 : 10;
    this.tickUnits = integerUnits(instrument.priceIncrement, this.priceDecimals, `instruments.${instrument.id}.priceIncrement`);
    this.lotUnits = integerUnits(instrument.quantityIncrement, this.qtyDecimals, `instruments.${instrument.id}.quantityIncrement`);
    this.minQtyUnits = Math.max(this.lotUnits, Math.ceil(instrument.minQuantity.times(unitScale(this.qtyDecimals)).toNumber()));
  }

  get symbol(): string {
    return this.names.symbol;
  }

  price(units: number): string {
    return formatUnits(units, this.priceDecimals);
  }

  qty(units: number): string {
    return formatUnits(units, this.qtyDecimals);
  }

  priceOf(value: Decimal): string {
    return value.toFixed(this.priceDecimals);
  }

  qtyOf(value: Decimal): string {
    return value.toFixed(this.qtyDecimals);
  }

  costOf(value: Decimal): string {
    return value.toFixed(this.costDecimals);
  }

  /** Kraken's pair status text (`online`, `cancel_only`, ...). */
  get status(): string {
    return KRAKEN_STATUS[this.instrument.status];
  }
}

export type AssetPairsInfo = 'info' | 'leverage' | 'fees' | 'margin';

function feeSchedule(tiers: readonly FeeTier[], side: 'maker' | 'taker'): [number, number][] {
  return tiers.map((tier) => [tier.minimumVolume.toNumber(), tier[side].times(100).toNumber()]);
}

/** The pairs the simulator trades, looked up by any of Kraken's names for them. */
export class PairCatalog {
  readonly #pairs: SimPair[];
  readonly #byName = new Map<string, SimPair>();
  readonly #feeTiers: readonly FeeTier[];

  constructor(instruments: readonly Instrument[], feeTiers: readonly FeeTier[] = KRAKEN_SPOT_FEE_TIERS) {
    this.#pairs = instruments.map((instrument) => new SimPair(instrument));
    this.#feeTiers = [...feeTiers].sort((a, b) => a.minimumVolume.comparedTo(b.minimumVolume));
    for (const pair of this.#pairs) {
      const { key, altname, wsname, symbol } = pair.names;
      for (const name of [key, altname, wsname, symbol]) this.#byName.set(name.toUpperCase(), pair);
    }
  }

  /** Pair id (`XXBTZUSD`), altname (`XBTUSD`), wsname (`XBT/USD`) or v2 symbol (`BTC/USD`), any case. */
  find(name: string): SimPair | undefined {
    return this.#byName.get(name.trim().toUpperCase());
  }

  list(): readonly SimPair[] {
    return this.#pairs;
  }

  /** kbot asset names of every base and quote. */
  assets(): string[] {
    const assets = new Set<string>();
    for (const pair of this.#pairs) assets.add(pair.instrument.base).add(pair.instrument.quote);
    return [...assets].sort();
  }

  /** One `/0/public/AssetPairs` entry (spec §5.4), in the field order Kraken uses. */
  assetPair(pair: SimPair, info: AssetPairsInfo = 'info'): Record<string, unknown> {
    const instrument = pair.instrument;
    const fees = { fees: feeSchedule(this.#feeTiers, 'taker'), fees_maker: feeSchedule(this.#feeTiers, 'maker'), fee_volume_currency: 'ZUSD' };
    if (info === 'leverage') return { leverage_buy: [], leverage_sell: [] };
    if (info === 'fees') return fees;
    if (info === 'margin') return { margin_call: 80, margin_stop: 40 };
    return {
      altname: pair.names.altname,
      wsname: pair.names.wsname,
      aclass_base: krakenAssetClass(),
      base: pair.names.baseCode,
      aclass_quote: krakenAssetClass(),
      quote: pair.names.quoteCode,
      lot: 'unit',
      cost_decimals: pair.costDecimals,
      pair_decimals: pair.priceDecimals,
      lot_decimals: pair.qtyDecimals,
      lot_multiplier: 1,
      leverage_buy: [],
      leverage_sell: [],
      ...fees,
      margin_call: 80,
      margin_stop: 40,
      ordermin: instrument.minQuantity.toFixed(),
      costmin: instrument.minCost.toFixed(),
      tick_size: instrument.priceIncrement.toFixed(),
      status: pair.status,
    };
  }

  /** One `/0/public/Assets` entry (spec §5.3). */
  assetInfo(asset: string): { readonly code: string; readonly info: Record<string, unknown> } {
    const code = krakenAssetCode(asset);
    const altname = code.length === 4 && code !== asset ? code.slice(1) : asset;
    return {
      code,
      info: {
        aclass: krakenAssetClass(),
        altname,
        decimals: krakenAssetDecimals(asset),
        display_decimals: isFiatAsset(asset) || STABLECOINS.has(asset) ? 2 : 5,
        collateral_value: 0,
        status: 'enabled',
      },
    };
  }

  /** The WebSocket v2 `instrument` snapshot payload (spec §8.8). */
  instrumentSnapshot(): { assets: Record<string, unknown>[]; pairs: Record<string, unknown>[] } {
    return {
      assets: this.assets().map((asset) => ({
        id: asset,
        status: 'enabled',
        precision: krakenAssetDecimals(asset),
        precision_display: isFiatAsset(asset) || STABLECOINS.has(asset) ? 2 : 5,
        borrowable: false,
        collateral_value: 0,
      })),
      pairs: this.#pairs.map((pair) => {
        const instrument = pair.instrument;
        return {
          symbol: pair.symbol,
          base: instrument.base,
          quote: instrument.quote,
          status: pair.status,
          qty_precision: pair.qtyDecimals,
          qty_increment: instrument.quantityIncrement.toNumber(),
          price_precision: pair.priceDecimals,
          cost_precision: pair.costDecimals,
          marginable: false,
          has_index: false,
          cost_min: instrument.minCost.toNumber(),
          tick_size: instrument.priceIncrement.toNumber(),
          price_increment: instrument.priceIncrement.toNumber(),
          qty_min: instrument.minQuantity.toNumber(),
        };
      }),
    };
  }
}
