import { ExchangeError, type Bar, type InstrumentId } from '@kbot/core';
import type { OhlcResult } from '../rest/types.js';
import { restNumber, restPairRows, restRow } from './rest-market-rows.js';

export interface RestOhlcOptions {
  /** The kbot instrument the rows belong to. */
  readonly instrumentId: InstrumentId;
  /** Candle length in milliseconds. */
  readonly interval: number;
  /**
   * A lower bound of the venue's clock when the request was sent (epoch ms; -Infinity when
   * unknown). A last row whose interval ended `graceMs` before it is final although nothing
   * follows it: a quiet market makes no newer candle.
   */
  readonly requestedAt: number;
  readonly graceMs: number;
}

export interface RestOhlcCandles {
  /** Closed bars, oldest first, without the empty intervals (Kraken makes no bar of those). */
  readonly closed: readonly Bar[];
  /** The last row when it may still change (with trades); never part of `closed`. */
  readonly forming: Bar | undefined;
  /** Kraken's `last` cursor in epoch ms: the open time of the newest committed candle. */
  readonly lastCommitted: number;
}

/**
 * A `/0/public/OHLC` answer (spec §5.6) → closed bars. Kraken always appends the current,
 * uncommitted candle, so a row is taken as closed only when a later row follows it, when its
 * open time is at or before `last` (Kraken's own cursor of committed data), or when its interval
 * ended `graceMs` before the request was sent. Rows with no trades are intervals without a bar
 * (Kraken's files and WebSocket have none there either) and are left out.
 */
export function parseRestOhlc(result: OhlcResult, pair: string, options: RestOhlcOptions): RestOhlcCandles {
  const rows = restPairRows(result, 'OHLC', pair);
  const lastCommitted = restNumber(result.last, `OHLC ${pair}.last`) * 1000;
  const closed: Bar[] = [];
  let forming: Bar | undefined;
  let previousOpen = Number.NEGATIVE_INFINITY;
  rows.forEach((entry, index) => {
    const field = `OHLC ${pair}[${index}]`;
    const row = restRow(entry, 8, field);
    const openTime = restNumber(row[0], `${field}[0] (time)`) * 1000;
    if (!Number.isInteger(openTime) || openTime % options.interval !== 0 || openTime <= previousOpen) {
      throw new ExchangeError('bad-response', `Kraken ${field}[0] (time): received ${JSON.stringify(row[0])}, expected whole seconds on a ${options.interval / 60_000}-minute boundary, after the row before`);
    }
    previousOpen = openTime;
    const bar: Bar = {
      instrumentId: options.instrumentId,
      interval: options.interval,
      openTime,
      open: restNumber(row[1], `${field}[1] (open)`),
      high: restNumber(row[2], `${field}[2] (high)`),
      low: restNumber(row[3], `${field}[3] (low)`),
      close: restNumber(row[4], `${field}[4] (close)`),
      volume: restNumber(row[6], `${field}[6] (volume)`),
      trades: restNumber(row[7], `${field}[7] (count)`),
    };
    const final = index < rows.length - 1 || openTime <= lastCommitted || options.requestedAt >= openTime + options.interval + options.graceMs;
    if (bar.trades === 0) return;
    if (final) closed.push(bar);
    else forming = bar;
  });
  return { closed, forming, lastCommitted };
}
