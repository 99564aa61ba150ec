import { ConfigError, type EpochMs, type InstrumentStatus } from '@kbot/core';

/** One pair's figures for ranking. Undefined figures are unknown (warming up, or no quotes for the spread). */
export interface PairSnapshot {
  readonly instrumentId: string;
  /** The instrument's trading status; only `online` pairs are ranked. Default `online`. */
  readonly status?: InstrumentStatus;
  /** Traded value in the quote asset over the scanner's window (Σ volume × close). */
  readonly quoteVolume: number | undefined;
  /** (ask − bid) / mid, percent; undefined when there are no quotes (backtests on bars). */
  readonly spreadPercent: number | undefined;
  /** ATR % or the standard deviation of returns, percent. */
  readonly volatilityPercent: number | undefined;
  /** EMA slope, percent. */
  readonly trendPercent: number | undefined;
  /** When the figures were last updated (the last bar's close time). */
  readonly updatedAt?: EpochMs | undefined;
}

/** How much each figure counts; 0 leaves a figure out. */
export interface RankWeights {
  readonly volume: number;
  readonly spread: number;
  readonly volatility: number;
  readonly trend: number;
}

export interface RankOptions {
  /** Pairs below this quote volume are left out; default 0. */
  readonly minQuoteVolume?: number;
  /** Pairs with a known spread above this (percent) are left out; default no limit. */
  readonly maxSpreadPercent?: number;
  /** Pairs (`DOGE/USD`) or assets (`DOGE`: every pair with it on either side) never ranked. */
  readonly blacklist?: readonly string[];
  /** Default 1 each. */
  readonly weights?: Partial<RankWeights>;
  /** With `maxAgeMs`: pairs whose figures are older than `now − maxAgeMs` are left out as stale. */
  readonly now?: EpochMs;
  readonly maxAgeMs?: number;
}

export type RankScores = { readonly [K in keyof RankWeights]: number | undefined };

export interface RankedPair {
  readonly instrumentId: string;
  /** 1 is best. */
  readonly rank: number;
  /** Weighted mean of the figure scores the pair has, from 0 to 1. */
  readonly score: number;
  /** Each figure's score among the ranked pairs, from 0 (worst) to 1 (best); undefined when not scored. */
  readonly scores: RankScores;
  readonly snapshot: PairSnapshot;
  /** Why a figure was not scored (e.g. no quotes for the spread). */
  readonly notes: readonly string[];
}

export type ExclusionReason = 'blacklisted' | 'not-online' | 'warming-up' | 'stale' | 'below-min-volume' | 'spread-too-wide';

export interface ExcludedPair {
  readonly instrumentId: string;
  readonly reason: ExclusionReason;
  readonly detail: string;
}

export interface PairRanking {
  /** Best first. */
  readonly ranked: readonly RankedPair[];
  /** In input order. */
  readonly excluded: readonly ExcludedPair[];
}

const DEFAULT_WEIGHTS: RankWeights = { volume: 1, spread: 1, volatility: 1, trend: 1 };

/**
 * Ranks pairs by quote volume (higher is better), spread (lower), volatility (higher: more room to
 * move) and trend (a steeper rise is better), after filtering. Pure and deterministic.
 *
 * Each figure is scored by its place among the pairs that passed the filters, not by its size:
 * score = (pairs with a worse figure + half the pairs with an equal one) / (pairs − 1), from 0 for
 * the worst to 1 for the best. So a pair with 100 times the volume does not drown out the other
 * figures, and no unit conversion is needed. The total is the weighted mean of the scores a pair has:
 * a pair without a spread (no quotes) is scored on the other three, with a note saying so, and the
 * spread filter does not apply to it. Ties go to the higher quote volume, then to the name.
 *
 * Filters, in order: blacklist, status (only `online`), warm-up (volume, volatility and trend known),
 * staleness, minimum quote volume, maximum spread.
 */
export function rankPairs(snapshots: readonly PairSnapshot[], options: RankOptions = {}): PairRanking {
  const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  checkOptions(weights, options);
  const blacklist = new Set((options.blacklist ?? []).map((entry) => entry.toUpperCase()));
  const minVolume = options.minQuoteVolume ?? 0;
  const maxSpread = options.maxSpreadPercent ?? Infinity;

  const excluded: ExcludedPair[] = [];
  const eligible: PairSnapshot[] = [];
  for (const snapshot of snapshots) {
    const id = snapshot.instrumentId.toUpperCase();
    const [base = '', quote = ''] = id.split('/');
    const exclude = (reason: ExclusionReason, detail: string) => excluded.push(Object.freeze({ instrumentId: snapshot.instrumentId, reason, detail }));
    if (blacklist.has(id) || blacklist.has(base) || blacklist.has(quote)) exclude('blacklisted', `${id} is on the blacklist`);
    else if ((snapshot.status ?? 'online') !== 'online') exclude('not-online', `status ${snapshot.status}`);
    else if (snapshot.quoteVolume === undefined || snapshot.volatilityPercent === undefined || snapshot.trendPercent === undefined) {
      const missing = [snapshot.quoteVolume === undefined && 'volume', snapshot.volatilityPercent === undefined && 'volatility', snapshot.trendPercent === undefined && 'trend'].filter(Boolean);
      exclude('warming-up', `not enough bars yet for ${missing.join(', ')}`);
    } else if (options.maxAgeMs !== undefined && options.now !== undefined && (snapshot.updatedAt === undefined || snapshot.updatedAt < options.now - options.maxAgeMs)) {
      exclude('stale', `no data since ${snapshot.updatedAt === undefined ? 'the start' : new Date(snapshot.updatedAt).toISOString()}`);
    } else if (snapshot.quoteVolume < minVolume) exclude('below-min-volume', `quote volume ${snapshot.quoteVolume} < ${minVolume}`);
    else if (snapshot.spreadPercent !== undefined && snapshot.spreadPercent > maxSpread) exclude('spread-too-wide', `spread ${snapshot.spreadPercent}% > ${maxSpread}%`);
    else eligible.push(snapshot);
  }

  const volume = placeScores(eligible, (pair) => pair.quoteVolume, 1);
  const spread = placeScores(eligible, (pair) => pair.spreadPercent, -1);
  const volatility = placeScores(eligible, (pair) => pair.volatilityPercent, 1);
  const trend = placeScores(eligible, (pair) => pair.trendPercent, 1);

  const scored = eligible.map((snapshot, index) => {
    const scores: RankScores = { volume: volume[index], spread: spread[index], volatility: volatility[index], trend: trend[index] };
    let sum = 0;
    let weight = 0;
    for (const key of ['volume', 'spread', 'volatility', 'trend'] as const) {
      const value = scores[key];
      if (value === undefined || weights[key] === 0) continue;
      sum += weights[key] * value;
      weight += weights[key];
    }
    const notes = snapshot.spreadPercent === undefined && weights.spread > 0 ? ['spread not scored: no quotes for this pair'] : [];
    return { snapshot, scores, score: weight === 0 ? 0 : sum / weight, notes };
  });
  scored.sort((a, b) =>
    b.score - a.score
    || b.snapshot.quoteVolume! - a.snapshot.quoteVolume!
    || (a.snapshot.instrumentId < b.snapshot.instrumentId ? -1 : a.snapshot.instrumentId > b.snapshot.instrumentId ? 1 : 0));

  return Object.freeze({
    ranked: Object.freeze(scored.map((entry, index) => Object.freeze({
      instrumentId: entry.snapshot.instrumentId,
      rank: index + 1,
      score: entry.score,
      scores: Object.freeze(entry.scores),
      snapshot: entry.snapshot,
      notes: Object.freeze(entry.notes),
    }))),
    excluded: Object.freeze(excluded),
  });
}

/** Each pair's place among those with a figure, 0 (worst) to 1 (best); `direction` −1 when lower is better. */
function placeScores(pairs: readonly PairSnapshot[], figure: (pair: PairSnapshot) => number | undefined, direction: 1 | -1): (number | undefined)[] {
  const values = pairs.map(figure);
  const known = values.filter((value): value is number => value !== undefined);
  return values.map((value) => {
    if (value === undefined) return undefined;
    if (known.length === 1) return 1;
    let worse = 0;
    let equal = -1; // not counting itself
    for (const other of known) {
      if (other === value) equal++;
      else if ((other - value) * direction < 0) worse++;
    }
    return (worse + equal / 2) / (known.length - 1);
  });
}

function checkOptions(weights: RankWeights, options: RankOptions): void {
  const issues = [];
  for (const key of ['volume', 'spread', 'volatility', 'trend'] as const) {
    if (!Number.isFinite(weights[key]) || weights[key] < 0) issues.push({ path: `weights.${key}`, received: String(weights[key]), expected: 'a number of 0 or more' });
  }
  if (weights.volume + weights.spread + weights.volatility + weights.trend <= 0) {
    issues.push({ path: 'weights', received: JSON.stringify(weights), expected: 'at least one weight above 0' });
  }
  if (options.minQuoteVolume !== undefined && !(options.minQuoteVolume >= 0)) {
    issues.push({ path: 'minQuoteVolume', received: String(options.minQuoteVolume), expected: 'a number of 0 or more' });
  }
  if (options.maxSpreadPercent !== undefined && !(options.maxSpreadPercent >= 0)) {
    issues.push({ path: 'maxSpreadPercent', received: String(options.maxSpreadPercent), expected: 'a percentage of 0 or more' });
  }
  if (issues.length > 0) throw new ConfigError(issues, 'rankPairs options');
}
