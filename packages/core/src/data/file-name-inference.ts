import { basename } from 'node:path';
import { ConfigError } from '../errors/errors.js';
import { splitInstrumentId, type InstrumentId } from '../model/ids.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, formatInterval, parseInterval } from '../model/time.js';
import type { DataFormat } from './data-format.js';
import { isQuoteAsset, krakenPairToInstrumentId } from './kraken-names.js';
import { instrumentOption, intervalOption } from './source-options.js';

/** What a file name says about its contents; either part may be missing. */
export interface FileNameHints {
  readonly instrumentId?: InstrumentId;
  /**
   * True when the name gives only the base (`XBT_train.csv`) and the quote of `instrumentId` is
   * assumed (USD).
   */
  readonly quoteAssumed?: boolean;
  /** Milliseconds. */
  readonly interval?: number;
}

/** Kraken's OHLCVT file suffixes are minutes from this set (`XBTUSD_15.csv`). */
const KRAKEN_MINUTES: ReadonlySet<number> = new Set([1, 5, 15, 30, 60, 240, 720, 1440, 10080, 21600]);

const INTERVAL_WORDS: Readonly<Record<string, number>> = {
  minute: MINUTE_MS, min: MINUTE_MS, minutely: MINUTE_MS,
  hour: HOUR_MS, hourly: HOUR_MS,
  d: DAY_MS, day: DAY_MS, daily: DAY_MS,
  week: 7 * DAY_MS, weekly: 7 * DAY_MS,
};

/** Words in data file names that are never an asset (exchange names and the like). */
const NOT_ASSETS: ReadonlySet<string> = new Set(['KRAKEN', 'BINANCE', 'BINANCEUS', 'COINBASE', 'BITSTAMP', 'DATA', 'OHLC', 'OHLCV', 'OHLCVT', 'TRADES', 'TRAIN', 'TEST']);

/**
 * Assets accepted as a bare base without a quote in a file name (`XBT_train.csv`, taken as
 * BTC/USD). Kept to well-known names so that `data.csv` does not become DATA/USD.
 */
const BARE_BASE_ASSETS: ReadonlySet<string> = new Set([
  'BTC', 'XBT', 'ETH', 'SOL', 'ADA', 'DOT', 'AVAX', 'XRP', 'LTC', 'DOGE', 'XDG', 'NEAR', 'BONK', 'LINK', 'MATIC', 'POL',
  'ATOM', 'TRX', 'UNI', 'BCH', 'XLM', 'XMR', 'ETC', 'FIL', 'AAVE', 'ALGO', 'SHIB', 'PEPE', 'XTZ', 'ZEC', 'ARB', 'OP',
]);

/** Quote assumed for a bare base: Kraken's main market is against USD. */
const BARE_BASE_QUOTE = 'USD';

/**
 * Reads the instrument and interval from names such as `XBTUSD_15.csv` (BTC/USD, 15m),
 * `BTC_USDT-5m.json` (BTC/USDT, 5m), `Kraken_BTCUSD_minute.csv` (BTC/USD, 1m),
 * `BTCUSD_Daily_OHLC.csv` (BTC/USD, 1d), `BTCUSD_1m_20230301_20230321.csv` (BTC/USD, 1m) and
 * `XBT_train.csv` (BTC/USD, no interval). Bare numbers count as Kraken minutes only for the
 * Kraken OHLCVT format, so dates in other names are not mistaken for intervals.
 */
export function inferFromFileName(file: string, format?: DataFormat): FileNameHints {
  const stem = basename(file).replace(/(\.(csv|json|txt|gz|zip))+$/i, '');
  const tokens = stem.split(/[_\-\s.]+/).filter((token) => token !== '');
  return { ...instrumentOf(tokens), ...intervalOf(tokens, format) };
}

function instrumentOf(tokens: readonly string[]): { instrumentId?: InstrumentId; quoteAssumed?: boolean } {
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const upper = token.toUpperCase();
    if (NOT_ASSETS.has(upper) || !/^[A-Z0-9]+$/.test(upper) || /^\d+$/.test(upper)) continue;
    const next = tokens[index + 1];
    // `BTC_USDT-5m` and `kraken_eth_usd_...`: base and quote as separate words.
    if (next !== undefined && isQuoteAsset(next) && isPlausibleBase(token)) {
      const id = krakenPairToInstrumentId(`${upper}/${next.toUpperCase()}`);
      if (id !== undefined) return { instrumentId: id };
    }
    // `XBTUSD`, `XXBTZUSD`, `btcusd`: one word; lower-case words only with a well-known base.
    const id = krakenPairToInstrumentId(upper);
    if (id !== undefined && (token === upper || BARE_BASE_ASSETS.has(id.slice(0, id.indexOf('/'))))) return { instrumentId: id };
  }
  for (const token of tokens) {
    const upper = token.toUpperCase();
    if (BARE_BASE_ASSETS.has(upper)) {
      const id = krakenPairToInstrumentId(`${upper}/${BARE_BASE_QUOTE}`);
      if (id !== undefined) return { instrumentId: id, quoteAssumed: true };
    }
  }
  return {};
}

/** A base written in upper case, or a well-known asset in any case (`eth` in a snake_case name). */
function isPlausibleBase(token: string): boolean {
  const upper = token.toUpperCase();
  return BARE_BASE_ASSETS.has(upper) || (token === upper && /[A-Z]/.test(upper));
}

function intervalOf(tokens: readonly string[], format: DataFormat | undefined): { interval?: number } {
  for (const token of tokens) {
    const lower = token.toLowerCase();
    // `1M` is a month at Binance; only lower-case minutes are read as minutes.
    if (/^\d+[mhdw]$/.test(token)) return { interval: parseInterval(token) };
    if (/^\d+$/.test(token) && format === 'kraken-ohlcvt' && KRAKEN_MINUTES.has(Number(token))) {
      return { interval: Number(token) * MINUTE_MS };
    }
    const word = INTERVAL_WORDS[lower];
    if (word !== undefined) return { interval: word };
  }
  return {};
}

/** Why an option may not contradict the name, and the way out when the name is the wrong one. */
const OPTION_IS_FOR_UNNAMED = '(the option is only for files whose name does not say; rename the file if its name is wrong)';

/**
 * The instrument a data file is read as: `option` (named `optionName` in errors) when given, else
 * what the name says. An option that contradicts the name is a ConfigError: the option is for files
 * whose name does not say, and another pair would silently replay one market's prices as another's.
 * Kraken's spellings agree with kbot's (`XBT/USD` is BTC/USD); a name that gives only the base
 * (`XBT_train.csv`) leaves the quote to the option.
 */
export function instrumentOfFile(file: string, hints: FileNameHints, option: string | undefined, optionName: string): InstrumentId | undefined {
  if (option === undefined) return hints.instrumentId;
  const given = instrumentOption(optionName, option);
  const named = hints.instrumentId;
  if (named === undefined) return given;
  const normalized = krakenPairToInstrumentId(given) ?? given;
  if (hints.quoteAssumed === true) {
    const { base } = splitInstrumentId(named);
    if (splitInstrumentId(normalized).base === base) return given;
    throw new ConfigError([{ path: optionName, received: JSON.stringify(option), expected: `a ${base} pair such as "${named}", the base the name of ${file} says ${OPTION_IS_FOR_UNNAMED}` }]);
  }
  if (normalized === named) return given;
  throw new ConfigError([{ path: optionName, received: JSON.stringify(option), expected: `"${named}", the pair the name of ${file} says ${OPTION_IS_FOR_UNNAMED}` }]);
}

/**
 * The bar interval (ms) a candle file is read as: `option` when given, else what the name says.
 * An option that contradicts the name is a ConfigError, for the same reason as the instrument:
 * hourly rows read as 15m bars would replay as 15m bars with three missing intervals each.
 */
export function intervalOfFile(file: string, hints: FileNameHints, option: number | string | undefined, optionName: string): number | undefined {
  if (option === undefined) return hints.interval;
  const given = intervalOption(optionName, option);
  if (hints.interval === undefined || hints.interval === given) return given;
  throw new ConfigError([{ path: optionName, received: JSON.stringify(option), expected: `${formatInterval(hints.interval)}, the interval the name of ${file} says ${OPTION_IS_FOR_UNNAMED}` }]);
}
