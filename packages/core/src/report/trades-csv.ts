import type { BacktestResult } from '../backtest/result.js';
import { decimalString } from '../model/decimal.js';
import type { Fill } from '../model/fill.js';
import { isoTime } from '../model/time.js';

/** Columns of trades.csv, in order (documented in docs/report-schema.md). */
export const TRADES_CSV_COLUMNS = [
  'time',
  'time_ms',
  'instrument',
  'side',
  'quantity',
  'price',
  'notional',
  'fee',
  'fee_asset',
  'liquidity',
  'client_order_id',
  'venue_order_id',
  'trade_id',
  'strategy_id',
] as const;

/** RFC 4180 line break. */
const CRLF = '\r\n';

/**
 * trades.csv: a header line, then one row per fill in the order the run produced them. Money is
 * written as exact decimal strings; RFC 4180 quoting (fields with a comma, quote, CR or LF are
 * quoted, quotes doubled) and CRLF line endings, so spreadsheets and CSV libraries agree.
 */
export function toTradesCsv(result: Pick<BacktestResult, 'fills'>): string {
  const lines = [TRADES_CSV_COLUMNS.join(',')];
  for (const fill of result.fills) lines.push(tradeRow(fill).map(csvField).join(','));
  return lines.join(CRLF) + CRLF;
}

function tradeRow(fill: Fill): string[] {
  return [
    isoTime(fill.time),
    String(fill.time),
    fill.instrumentId,
    fill.side,
    decimalString(fill.quantity),
    decimalString(fill.price),
    decimalString(fill.price.times(fill.quantity)),
    decimalString(fill.fee),
    fill.feeAsset,
    fill.liquidity,
    fill.clientOrderId,
    fill.venueOrderId ?? '',
    fill.tradeId,
    fill.strategyId,
  ];
}

/** Quotes a field only when RFC 4180 requires it. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
