import { Decimal, decimalAtMost, decimalGreaterThan, toDecimal, type DecimalLike } from '../model/decimal.js';
import type { Liquidity } from '../model/fill.js';
import type { Instrument } from '../model/instrument.js';

/** Decides the fee rate of a fill (a fraction: 0.0025 = 0.25%). */
export interface FeeModel {
  /**
   * @param thirtyDayVolumeQuote the account's traded quote volume over the 30 days before the fill,
   *   not counting the fill itself.
   */
  rate(instrument: Instrument, liquidity: Liquidity, thirtyDayVolumeQuote: Decimal): Decimal;
}

/** One row of a volume-tiered schedule: rates that apply from `minimumVolume` (inclusive) upwards. */
export interface FeeTier {
  readonly minimumVolume: Decimal;
  readonly maker: Decimal;
  readonly taker: Decimal;
}

function tier(minimumVolume: string, makerPercent: string, takerPercent: string): FeeTier {
  return Object.freeze({
    minimumVolume: new Decimal(minimumVolume),
    maker: new Decimal(makerPercent).dividedBy(100),
    taker: new Decimal(takerPercent).dividedBy(100),
  });
}

/**
 * Kraken's spot schedule for standard crypto pairs as seen in 2024–2026 AssetPairs captures
 * (kraken.md §10): 30-day USD volume → maker / taker.
 */
export const KRAKEN_SPOT_FEE_TIERS: readonly FeeTier[] = Object.freeze([
  tier('0', '0.25', '0.40'),
  tier('10000', '0.20', '0.35'),
  tier('50000', '0.14', '0.24'),
  tier('100000', '0.12', '0.22'),
  tier('250000', '0.10', '0.20'),
  tier('500000', '0.08', '0.18'),
  tier('1000000', '0.06', '0.16'),
  tier('2500000', '0.04', '0.14'),
  tier('5000000', '0.02', '0.12'),
  tier('10000000', '0.00', '0.10'),
]);

/**
 * Kraken's tiered maker/taker schedule. The volume is whatever the venue passes: the simulated
 * venue sums fills' quote notional as is, so it treats every quote currency as USD (Kraken
 * converts to USD). Good enough for single-quote bots; document it for mixed ones.
 */
export class KrakenSpotFeeModel implements FeeModel {
  private readonly tiers: readonly FeeTier[];
  /** Index of the tier the last lookup found. */
  private lastTier = 0;

  constructor(tiers: readonly FeeTier[] = KRAKEN_SPOT_FEE_TIERS) {
    if (tiers.length === 0) throw new TypeError('KrakenSpotFeeModel tiers: received an empty list, expected at least one tier');
    // Sorted copy so a hand-written table in any order works.
    this.tiers = [...tiers].sort((a, b) => a.minimumVolume.comparedTo(b.minimumVolume));
    const first = this.tiers[0]!;
    if (!first.minimumVolume.isZero()) {
      throw new TypeError(`KrakenSpotFeeModel tiers: lowest minimumVolume is ${first.minimumVolume.toFixed()}, expected 0`);
    }
  }

  tierFor(thirtyDayVolumeQuote: Decimal): FeeTier {
    // The volume moves little between fills, so the last tier is checked first (two comparisons)
    // before the table is walked: a fill asks for its rate several times.
    const tiers = this.tiers;
    const last = this.lastTier;
    const next = tiers[last + 1];
    if (decimalAtMost(tiers[last]!.minimumVolume, thirtyDayVolumeQuote) && (next === undefined || decimalGreaterThan(next.minimumVolume, thirtyDayVolumeQuote))) {
      return tiers[last]!;
    }
    let found = 0;
    for (let index = 1; index < tiers.length; index++) {
      if (decimalAtMost(tiers[index]!.minimumVolume, thirtyDayVolumeQuote)) found = index;
      else break;
    }
    this.lastTier = found;
    return tiers[found]!;
  }

  rate(_instrument: Instrument, liquidity: Liquidity, thirtyDayVolumeQuote: Decimal): Decimal {
    const found = this.tierFor(thirtyDayVolumeQuote);
    return liquidity === 'maker' ? found.maker : found.taker;
  }
}

function checkRate(value: DecimalLike, field: string): Decimal {
  const rate = toDecimal(value, field);
  if (rate.isNegative() || rate.greaterThanOrEqualTo(1)) {
    throw new TypeError(`${field}: received ${rate.toFixed()}, expected a fraction from 0 to below 1 (0.0025 = 0.25%)`);
  }
  return rate;
}

/** The same rates whatever the volume; rates are fractions (0.0025 = 0.25%). */
export class FixedFeeModel implements FeeModel {
  readonly maker: Decimal;
  readonly taker: Decimal;

  constructor(maker: DecimalLike, taker: DecimalLike) {
    this.maker = checkRate(maker, 'FixedFeeModel maker');
    this.taker = checkRate(taker, 'FixedFeeModel taker');
  }

  rate(_instrument: Instrument, liquidity: Liquidity): Decimal {
    return liquidity === 'maker' ? this.maker : this.taker;
  }
}

/** Uses each instrument's own `makerFee` / `takerFee` (e.g. what the Kraken adapter loaded for the account). */
export class InstrumentFeeModel implements FeeModel {
  rate(instrument: Instrument, liquidity: Liquidity): Decimal {
    return liquidity === 'maker' ? instrument.makerFee : instrument.takerFee;
  }
}
