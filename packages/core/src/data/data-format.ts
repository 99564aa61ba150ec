import { extname } from 'node:path';
import { DataError } from '../errors/errors.js';
import { LineReader } from './line-reader.js';
import { ByteChunkReader } from './byte-chunk-reader.js';
import { isSpreadHeader } from './kraken-spread-file.js';

/** The market data file layouts kbot reads. */
export type DataFormat =
  /** Kraken's downloadable OHLCVT CSV: `time(s),open,high,low,close,volume,trades`, header optional. */
  | 'kraken-ohlcvt'
  /** Kraken REST OHLC saved as CSV: header `unix,open,high,low,close,vwap,volume,tradecount,...`. */
  | 'kraken-rest-ohlc'
  /** Kraken public trades (REST `/0/public/Trades` rows or `timestamp,price,volume`), aggregated into bars. */
  | 'kraken-trades'
  /** freqtrade candle JSON: `[[open_time_ms, open, high, low, close, volume], ...]`. */
  | 'freqtrade-json'
  /** Binance / Binance.US klines CSV with a header: `open_time,open,high,low,close,volume[,...]`. */
  | 'binance-csv';

export const DATA_FORMATS: readonly DataFormat[] = ['kraken-ohlcvt', 'kraken-rest-ohlc', 'kraken-trades', 'freqtrade-json', 'binance-csv'];

const PROBE_CHUNK = 64 * 1024;
const KRAKEN_OHLCVT_HEADER = 'time,open,high,low,close,volume,trades';
const KNOWN_LAYOUTS =
  'Kraken OHLCVT CSV (time,open,high,low,close,volume,trades), Kraken REST OHLC CSV (unix,open,high,low,close,vwap,...), ' +
  'Kraken trades CSV (price,volume,time,...), Binance CSV (open_time,open,high,low,close,volume) or freqtrade JSON ([[ms,o,h,l,c,v],...])';

export function isDataFormat(value: string): value is DataFormat {
  return (DATA_FORMATS as readonly string[]).includes(value);
}

/**
 * Tells the layout of a market data file from its extension and first line. Throws a DataError
 * for an empty or unrecognised file; the user can then force a format.
 */
export function detectDataFormat(file: string): DataFormat {
  if (extname(file).toLowerCase() === '.json') return detectJson(file);
  const reader = new LineReader(file, { chunkSize: PROBE_CHUNK });
  try {
    let line = reader.next();
    while (line !== undefined && line.trim() === '') line = reader.next();
    if (line === undefined) throw new DataError(file, undefined, `file is empty: expected ${KNOWN_LAYOUTS}`);
    if (line.trimStart().startsWith('[')) return detectJson(file);
    const format = formatOfFirstLine(line);
    if (format === undefined && isSpreadHeader(line)) {
      throw new DataError(
        file,
        reader.lineNumber,
        `received the Kraken spreads header ${JSON.stringify(line.slice(0, 120))}, expected bar data: spreads are top-of-book quotes, not bars, so they cannot be read as bars ` +
          "or imported into the data folder; replay them as quotes in a backtest (kbot backtest --data <file>, or { file, replay: 'quotes' } in backtest.data)",
      );
    }
    if (format === undefined) {
      throw new DataError(file, reader.lineNumber, `unrecognised first line ${JSON.stringify(line.slice(0, 120))}: expected ${KNOWN_LAYOUTS}; pass the format explicitly if it is one of these`);
    }
    return format;
  } finally {
    reader.close();
  }
}

/** The format implied by a CSV file's first non-blank line, if any. */
export function formatOfFirstLine(line: string): DataFormat | undefined {
  const fields = line.split(',').map((field) => field.trim().toLowerCase());
  const first = fields[0] ?? '';
  if (!looksNumeric(first)) {
    const has = (name: string) => fields.includes(name);
    if (fields.join(',') === KRAKEN_OHLCVT_HEADER) return 'kraken-ohlcvt';
    if (first === 'unix' && has('open') && has('close')) return 'kraken-rest-ohlc';
    if (first === 'open_time' && has('open') && has('close')) return 'binance-csv';
    if (has('price') && (has('volume') || has('quantity')) && (has('time') || has('timestamp'))) return 'kraken-trades';
    return undefined;
  }
  if (fields.length === 7 && fields.every(looksNumeric)) return 'kraken-ohlcvt';
  if (fields.length === 3 && fields.every(looksNumeric)) return 'kraken-trades';
  if (fields.length >= 6 && looksNumeric(fields[1]!) && looksNumeric(fields[2]!) && /^(b|s|buy|sell)$/.test(fields[3]!)) return 'kraken-trades';
  return undefined;
}

function looksNumeric(field: string): boolean {
  return field !== '' && Number.isFinite(Number(field));
}

function detectJson(file: string): DataFormat {
  const reader = new ByteChunkReader(file, PROBE_CHUNK);
  try {
    // The first two bytes that are not whitespace tell a candle array (`[[`) from anything else.
    let head = '';
    while (head.length < 2 && reader.refill(reader.end) > 0) {
      for (let index = 0; index < reader.end && head.length < 2; index++) {
        const code = reader.bytes[index]!;
        if (code !== 32 && code !== 9 && code !== 10 && code !== 13) head += String.fromCharCode(code);
      }
    }
    if (head === '') throw new DataError(file, undefined, `file is empty: expected ${KNOWN_LAYOUTS}`);
    if (head === '[[' || head === '[]') return 'freqtrade-json';
    throw new DataError(file, 1, `unrecognised JSON: expected a freqtrade candle array [[open_time_ms, open, high, low, close, volume], ...]`);
  } finally {
    reader.close();
  }
}
