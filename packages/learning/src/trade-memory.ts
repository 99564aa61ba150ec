import type { Advice, AdviceQuery, Learner, TradeOutcome } from '@kbot/core';

export interface TradeMemoryOptions {
  /** Learner id (unique within a bot); default `trade-memory`. */
  readonly id?: string;
  /**
   * Advise against trades whose smoothed win rate is below this (0..1). Default 0: never veto,
   * only score.
   */
  readonly minWinRate?: number;
  /** Closed trades needed before the memory vetoes anything; default 20. */
  readonly minTrades?: number;
  /** Oldest outcomes are forgotten beyond this many per strategy and instrument; default 500. */
  readonly window?: number;
}

interface Record_ {
  wins: number;
  losses: number;
  /** Net P&L of remembered trades, in the quote asset, as numbers (statistics, not accounting). */
  results: number[];
}

export interface TradeMemoryState {
  readonly version: 1;
  readonly records: Readonly<Record<string, { readonly results: readonly number[] }>>;
}

/**
 * Remembers the outcomes of closed trades per strategy and instrument, across restarts (its
 * snapshot is plain JSON the store keeps), and advises with the smoothed win rate
 * (wins + 1) / (trades + 2): 0.5 before any trade, moving towards the observed rate as trades
 * accumulate. With `minWinRate`, it vetoes trades of a pair that has kept losing.
 */
export class TradeMemory implements Learner<TradeMemoryState> {
  readonly id: string;
  private readonly minWinRate: number;
  private readonly minTrades: number;
  private readonly window: number;
  private records = new Map<string, Record_>();

  constructor(options: TradeMemoryOptions = {}) {
    this.id = options.id ?? 'trade-memory';
    this.minWinRate = check('minWinRate', options.minWinRate ?? 0, (value) => value >= 0 && value <= 1, 'a fraction from 0 to 1');
    this.minTrades = check('minTrades', options.minTrades ?? 20, (value) => Number.isInteger(value) && value >= 0, 'a whole number ≥ 0');
    this.window = check('window', options.window ?? 500, (value) => Number.isInteger(value) && value >= 1, 'a whole number ≥ 1');
  }

  observe(outcome: TradeOutcome): void {
    const key = keyOf(outcome.strategyId, outcome.instrumentId);
    const record = this.records.get(key) ?? { wins: 0, losses: 0, results: [] };
    const result = outcome.roundTrip.netPnl.toNumber();
    record.results.push(result);
    if (result > 0) record.wins++;
    else if (result < 0) record.losses++;
    if (record.results.length > this.window) {
      const forgotten = record.results.shift()!;
      if (forgotten > 0) record.wins--;
      else if (forgotten < 0) record.losses--;
    }
    this.records.set(key, record);
  }

  advise(query: AdviceQuery): Advice {
    const record = this.records.get(keyOf(query.strategyId, String(query.instrumentId)));
    const trades = record?.results.length ?? 0;
    const score = ((record?.wins ?? 0) + 1) / (trades + 2);
    if (trades >= this.minTrades && score < this.minWinRate) {
      return { allow: false, score, reason: `won ${record!.wins} of the last ${trades} trades (smoothed ${(score * 100).toFixed(1)}% < ${(this.minWinRate * 100).toFixed(1)}%)` };
    }
    return { allow: true, score };
  }

  /** Trades remembered for a strategy and instrument. */
  count(strategyId: string, instrumentId: string): number {
    return this.records.get(keyOf(strategyId, instrumentId))?.results.length ?? 0;
  }

  snapshot(): TradeMemoryState {
    return {
      version: 1,
      records: Object.fromEntries([...this.records].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, record]) => [key, { results: [...record.results] }])),
    };
  }

  restore(state: TradeMemoryState): void {
    if (state?.version !== 1 || typeof state.records !== 'object' || state.records === null || Array.isArray(state.records)) {
      throw new TypeError(`trade memory state: received ${JSON.stringify(state)?.slice(0, 60)}, expected { version: 1, records }`);
    }
    const records = new Map<string, { wins: number; losses: number; results: number[] }>();
    for (const [key, record] of Object.entries(state.records)) {
      const results = (record as { results?: unknown } | null)?.results;
      if (!Array.isArray(results) || !results.every((value) => typeof value === 'number' && Number.isFinite(value))) {
        throw new TypeError(`trade memory state: records[${JSON.stringify(key)}].results: received ${JSON.stringify(results)?.slice(0, 60) ?? 'nothing'}, expected an array of finite numbers (one per trade)`);
      }
      // A window lowered since the state was saved keeps only the newest outcomes, as observe() would.
      const kept = results.slice(Math.max(0, results.length - this.window));
      records.set(key, { wins: kept.filter((value) => value > 0).length, losses: kept.filter((value) => value < 0).length, results: kept });
    }
    this.records = records;
  }
}

function keyOf(strategyId: string, instrumentId: string): string {
  return `${strategyId}|${instrumentId}`;
}

function check(name: string, value: number, valid: (value: number) => boolean, expected: string): number {
  if (!Number.isFinite(value) || !valid(value)) throw new TypeError(`TradeMemory ${name}: received ${value}, expected ${expected}`);
  return value;
}
