import { Decimal } from '../model/decimal.js';
import type { Fill } from '../model/fill.js';

/** One live fill matched with one replay fill, and how they differ (replay minus live). */
export interface MatchedFill {
  readonly live: Fill;
  readonly replay: Fill;
  readonly priceDifference: Decimal;
  readonly feeDifference: Decimal;
  readonly timeDifferenceMs: number;
  readonly liquidityDiffers: boolean;
  /** True when price, fee, time and liquidity are all the same. */
  readonly exact: boolean;
}

export interface ParityTotals {
  readonly liveFills: number;
  readonly replayFills: number;
  readonly matched: number;
  readonly exact: number;
  readonly onlyLive: number;
  readonly onlyReplay: number;
  /** Σ price × quantity of every fill, each side. */
  readonly liveNotional: Decimal;
  readonly replayNotional: Decimal;
  readonly liveFees: Decimal;
  readonly replayFees: Decimal;
  /** Over the matched fills: Σ (replay price − live price) × quantity, and the largest |time difference|. */
  readonly matchedPriceImpact: Decimal;
  readonly maxTimeDifferenceMs: number;
}

export interface FillParity {
  readonly matched: readonly MatchedFill[];
  readonly onlyLive: readonly Fill[];
  readonly onlyReplay: readonly Fill[];
  readonly totals: ParityTotals;
  /** No unmatched fill and every matched pair exact: the parity diff is empty. */
  readonly empty: boolean;
}

function matchKey(fill: Fill): string {
  // toFixed: "0.10" and "0.1" are the same quantity.
  return `${fill.strategyId}\u0000${fill.instrumentId}\u0000${fill.side}\u0000${fill.quantity.toFixed()}`;
}

const sum = (fills: readonly Fill[], value: (fill: Fill) => Decimal) => fills.reduce((total, fill) => total.plus(value(fill)), new Decimal(0));

/**
 * Matches the fills of a session with those of its replay. Order ids differ between the two (each
 * run numbers its own), so fills are matched by what they are: the same strategy, instrument,
 * side and quantity, in the order they happened — the first live fill of a key with the first
 * replay fill of that key, the second with the second, and so on. What is left over on either side
 * is a fill that happened only live or only in the replay (a fill split differently shows up that
 * way too: its pieces have other quantities). Matched fills are compared on price, fee, time and
 * liquidity, exactly (Decimals, milliseconds).
 */
export function compareFills(live: readonly Fill[], replay: readonly Fill[]): FillParity {
  const waiting = new Map<string, Fill[]>();
  for (const fill of replay) {
    const key = matchKey(fill);
    const queue = waiting.get(key);
    if (queue) queue.push(fill);
    else waiting.set(key, [fill]);
  }
  const matched: MatchedFill[] = [];
  const onlyLive: Fill[] = [];
  const used = new Set<Fill>();
  for (const fill of live) {
    const other = waiting.get(matchKey(fill))?.shift();
    if (other === undefined) {
      onlyLive.push(fill);
      continue;
    }
    used.add(other);
    const priceDifference = other.price.minus(fill.price);
    const feeDifference = other.fee.minus(fill.fee);
    const timeDifferenceMs = other.time - fill.time;
    const liquidityDiffers = other.liquidity !== fill.liquidity || other.feeAsset !== fill.feeAsset;
    matched.push({
      live: fill, replay: other, priceDifference, feeDifference, timeDifferenceMs, liquidityDiffers,
      exact: priceDifference.isZero() && feeDifference.isZero() && timeDifferenceMs === 0 && !liquidityDiffers,
    });
  }
  const onlyReplay = replay.filter((fill) => !used.has(fill));
  const exact = matched.filter((pair) => pair.exact).length;
  return {
    matched,
    onlyLive,
    onlyReplay,
    totals: {
      liveFills: live.length,
      replayFills: replay.length,
      matched: matched.length,
      exact,
      onlyLive: onlyLive.length,
      onlyReplay: onlyReplay.length,
      liveNotional: sum(live, (fill) => fill.price.times(fill.quantity)),
      replayNotional: sum(replay, (fill) => fill.price.times(fill.quantity)),
      liveFees: sum(live, (fill) => fill.fee),
      replayFees: sum(replay, (fill) => fill.fee),
      matchedPriceImpact: matched.reduce((total, pair) => total.plus(pair.priceDifference.times(pair.live.quantity)), new Decimal(0)),
      maxTimeDifferenceMs: matched.reduce((max, pair) => Math.max(max, Math.abs(pair.timeDifferenceMs)), 0),
    },
    empty: onlyLive.length === 0 && onlyReplay.length === 0 && exact === matched.length,
  };
}
