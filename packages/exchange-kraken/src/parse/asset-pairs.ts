import { Decimal, ExchangeError, defineInstrument, instrumentId, type DecimalLike, type Instrument, type InstrumentId, type InstrumentStatus } from '@kbot/core';
import type { AssetPairInfo, AssetPairsResult, FeeTier } from '../rest/types.js';
import { parseAsset, type AssetNameOptions } from './asset.js';
import { krakenDecimal, krakenInteger, krakenString } from './numbers.js';

export interface ParseAssetPairsOptions extends AssetNameOptions {
  /** 30-day trading volume (in the pair's `fee_volume_currency`, normally USD) that picks the fee tier; default 0. */
  readonly thirtyDayVolume?: DecimalLike;
  /** When given, a pair that cannot be parsed is reported here and skipped instead of failing the whole list. */
  readonly onInvalidPair?: (pairKey: string, error: Error) => void;
}

const STATUSES: Readonly<Record<string, InstrumentStatus>> = {
  online: 'online',
  cancel_only: 'cancel-only',
  post_only: 'post-only',
  limit_only: 'limit-only',
  reduce_only: 'reduce-only',
};

/** Dark-pool books (`XXBTZUSD.d`) are not tradable like the lit ones. */
export function isDarkPoolPair(pairKey: string, pair: Pick<AssetPairInfo, 'altname'>): boolean {
  return pairKey.endsWith('.d') || pair.altname?.endsWith('.d') === true;
}

/**
 * The fee rate, as a fraction, for a 30-day volume: the tier with the highest threshold not above
 * the volume. Kraken lists percents (`[10000, 0.35]` = 0.35 % from 10,000).
 */
export function feeRateAt(schedule: readonly FeeTier[], volume: DecimalLike, field = 'fees'): Decimal | undefined {
  const reached = krakenDecimal(volume, `${field} volume`);
  let best: { threshold: Decimal; percent: Decimal } | undefined;
  schedule.forEach((tier, index) => {
    if (!Array.isArray(tier) || tier.length < 2) {
      throw new ExchangeError('bad-response', `Kraken ${field}[${index}]: received ${JSON.stringify(tier)}, expected [volume, percent]`);
    }
    const threshold = krakenDecimal(tier[0], `${field}[${index}][0]`);
    const percent = krakenDecimal(tier[1], `${field}[${index}][1]`);
    if (threshold.lessThanOrEqualTo(reached) && (best === undefined || threshold.greaterThan(best.threshold))) best = { threshold, percent };
  });
  return best === undefined ? undefined : best.percent.dividedBy(100);
}

function parseStatus(status: unknown): InstrumentStatus {
  if (status === undefined || status === null) return 'online'; // absent on some pairs; they trade normally
  // maintenance, delisted, work_in_progress and anything new: not tradable until Kraken says otherwise
  return STATUSES[String(status)] ?? 'offline';
}

/** One AssetPairs entry → Instrument. Throws ExchangeError (bad-response) naming the pair and field. */
export function parseAssetPair(pairKey: string, pair: AssetPairInfo, options: ParseAssetPairsOptions = {}): Instrument {
  const field = (name: string): string => `AssetPairs ${pairKey}.${name}`;
  if (typeof pair !== 'object' || pair === null) {
    throw new ExchangeError('bad-response', `Kraken AssetPairs ${pairKey}: received ${JSON.stringify(pair)}, expected an object`);
  }
  const altname = krakenString(pair.altname, field('altname'));
  const base = parseAsset(krakenString(pair.base, field('base')), options);
  const quote = parseAsset(krakenString(pair.quote, field('quote')), options);
  const pricePrecision = krakenInteger(pair.pair_decimals, field('pair_decimals'));
  const quantityPrecision = krakenInteger(pair.lot_decimals, field('lot_decimals'));
  const volume = options.thirtyDayVolume ?? 0;
  const taker = pair.fees === undefined ? undefined : feeRateAt(pair.fees, volume, field('fees'));
  // Pairs without a maker schedule charge the taker rate for both.
  const maker = pair.fees_maker === undefined ? taker : feeRateAt(pair.fees_maker, volume, field('fees_maker'));
  try {
    return defineInstrument({
      id: `${base}/${quote}`,
      venueSymbol: altname,
      pricePrecision,
      quantityPrecision,
      ...(pair.tick_size === undefined ? {} : { priceIncrement: krakenDecimal(pair.tick_size, field('tick_size')) }),
      minQuantity: pair.ordermin === undefined ? 0 : krakenDecimal(pair.ordermin, field('ordermin')),
      minCost: pair.costmin === undefined ? 0 : krakenDecimal(pair.costmin, field('costmin')),
      ...(maker === undefined ? {} : { makerFee: maker }),
      ...(taker === undefined ? {} : { takerFee: taker }),
      status: parseStatus(pair.status),
    });
  } catch (error) {
    if (error instanceof ExchangeError) throw error;
    throw new ExchangeError('bad-response', `Kraken AssetPairs ${pairKey}: ${(error as Error).message}`, { cause: error });
  }
}

function eachLitPair(result: AssetPairsResult, visit: (pairKey: string, pair: AssetPairInfo) => void): void {
  if (typeof result !== 'object' || result === null) {
    throw new ExchangeError('bad-response', `Kraken AssetPairs: received ${JSON.stringify(result)}, expected an object keyed by pair`);
  }
  for (const [pairKey, pair] of Object.entries(result)) {
    if (typeof pair === 'object' && pair !== null && isDarkPoolPair(pairKey, pair)) continue;
    visit(pairKey, pair);
  }
}

/**
 * The AssetPairs result → one Instrument per lit pair, with Kraken's tick, lot, minimums and the
 * maker/taker rates of the fee tier `thirtyDayVolume` reaches. Dark-pool pairs are left out.
 */
export function parseAssetPairs(result: AssetPairsResult, options: ParseAssetPairsOptions = {}): Instrument[] {
  const instruments: Instrument[] = [];
  eachLitPair(result, (pairKey, pair) => {
    try {
      instruments.push(parseAssetPair(pairKey, pair, options));
    } catch (error) {
      if (options.onInvalidPair === undefined) throw error;
      options.onInvalidPair(pairKey, error as Error);
    }
  });
  return instruments;
}

/**
 * Every name Kraken may use for a pair (pair key `XXBTZUSD`, altname `XBTUSD`, wsname `XBT/USD`,
 * v2 symbol `BTC/USD`) → the instrument id. Kraken has keyed results by an alias before, so
 * results are looked up through this rather than by the pair key alone.
 */
export function assetPairAliases(result: AssetPairsResult, options: AssetNameOptions = {}): Map<string, InstrumentId> {
  const aliases = new Map<string, InstrumentId>();
  eachLitPair(result, (pairKey, pair) => {
    if (typeof pair?.base !== 'string' || typeof pair.quote !== 'string') return;
    let id: InstrumentId;
    try {
      id = instrumentId(`${parseAsset(pair.base, options)}/${parseAsset(pair.quote, options)}`);
    } catch {
      return; // parseAssetPairs reports such a pair; an alias table just has no entry for it
    }
    for (const name of [pairKey, pair.altname, pair.wsname, id]) if (typeof name === 'string' && name !== '') aliases.set(name, id);
  });
  return aliases;
}
