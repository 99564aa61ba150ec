import { DataError } from '../errors/errors.js';
import type { InstrumentId } from '../model/ids.js';
import type { Quote } from '../model/market-data.js';
import { isoTime, type EpochMs } from '../model/time.js';
import { DEFAULT_CHUNK_SIZE } from './byte-chunk-reader.js';
import { CsvRowReader } from './csv-row-reader.js';
import { csvHeader } from './csv-header.js';
import { inferFromFileName, instrumentOfFile } from './file-name-inference.js';
import { chunkSizeOption, rangeOption } from './source-options.js';

const TIME_COLUMNS = ['unix', 'time', 'timestamp'];
const BID_SIZE_COLUMNS = ['bid_size', 'bidsize', 'bid_volume', 'bid_qty'];
const ASK_SIZE_COLUMNS = ['ask_size', 'asksize', 'ask_volume', 'ask_qty'];
/** Epoch values at or above this are milliseconds (1e11 s would be the year 5138). */
const MILLISECONDS_THRESHOLD = 1e11;
/** A whole-second stamp covers this second: the quote is replayed at its last millisecond. */
const END_OF_SECOND_MS = 999;

/**
 * Reads top-of-book quotes from Kraken's Spread data saved as CSV, one row at a time into reused
 * fields. Two layouts: a header naming `unix` (or `time`, `timestamp`), `bid` and `ask`, such as
 * `unix,bid,ask,date,spread` (REST `/0/public/Spread` saved by download scripts; extra columns are
 * ignored), or no header, `time,bid,ask` (the REST entries themselves).
 *
 * - **Sizes.** Kraken's Spread data has no sizes. Without `bid_size` / `ask_size` columns both
 *   sizes are 0: nothing is known to rest at the best prices, so the simulated venue fills no
 *   order against such a quote alone (its fills are capped at the displayed size). Resting orders
 *   fill on public trades, which carry their quantity. A quote still gives the strategy the
 *   spread, lets the venue cancel a post-only order that would cross it, and values positions at
 *   the mid.
 * - **Times.** Epoch seconds (whole or with a fraction) or milliseconds; the first row decides
 *   which for the whole file. Kraken stamps Spread entries with whole seconds and sends several
 *   per second: such a row may have happened at any moment of that second, so a whole-second file
 *   is replayed at each second's last millisecond (`unix × 1000 + 999`). A quote can then be
 *   replayed up to a second late, never before a trade that happened earlier in the same second
 *   (no look-ahead). Fractional seconds and milliseconds are used as they are (rounded down to the
 *   millisecond). Rows must not go back in time; equal times keep file order.
 * - **Checks.** Bid and ask are positive, the bid is not above the ask; sizes, when present, are 0
 *   or more. A bad row is a DataError naming the file, line, column, value and what was expected.
 */
export class SpreadRowReader extends CsvRowReader {
  bid = 0;
  ask = 0;
  bidSize = 0;
  askSize = 0;
  /** Epoch ms as replayed (see the class comment). */
  time = 0;
  private timeColumn = -1;
  private bidColumn = -1;
  private askColumn = -1;
  private bidSizeColumn = -1;
  private askSizeColumn = -1;
  /** How the time column is written, decided by the first row: ms, whole seconds, seconds with a fraction. */
  private timeKind: 'milliseconds' | 'whole-seconds' | 'fractional-seconds' | undefined = undefined;
  private previousTime = -Infinity;
  private previousLine = 0;

  protected readFields(): void {
    const fields = this.fields;
    const bid = fields.number(this.bidColumn);
    if (!(bid > 0)) fields.fail(this.bidColumn, 'a positive price');
    const ask = fields.number(this.askColumn);
    if (!(ask > 0)) fields.fail(this.askColumn, 'a positive price');
    if (bid > ask) fields.fail(this.bidColumn, `a bid at or below the ask (${fields.text(this.askColumn)}): a crossed book is not a valid top of book`);
    const raw = fields.number(this.timeColumn);
    if (raw < 0) fields.fail(this.timeColumn, 'an epoch time');
    // The first row decides the unit for the whole file, so one file is never replayed two ways.
    this.timeKind ??= raw >= MILLISECONDS_THRESHOLD ? 'milliseconds' : /^\d+$/.test(fields.text(this.timeColumn)) ? 'whole-seconds' : 'fractional-seconds';
    const kind = this.timeKind;
    const time = kind === 'milliseconds' ? Math.floor(raw) : kind === 'whole-seconds' ? Math.floor(raw) * 1000 + END_OF_SECOND_MS : Math.floor(raw * 1000);
    if (time < this.previousTime) {
      this.fail(`time goes backwards: ${isoTime(time)} is before ${isoTime(this.previousTime)} on line ${this.previousLine}; expected quotes in time order`);
    }
    let bidSize = 0;
    let askSize = 0;
    if (this.bidSizeColumn >= 0) {
      bidSize = fields.number(this.bidSizeColumn);
      if (bidSize < 0) fields.fail(this.bidSizeColumn, 'a size of 0 or more');
    }
    if (this.askSizeColumn >= 0) {
      askSize = fields.number(this.askSizeColumn);
      if (askSize < 0) fields.fail(this.askSizeColumn, 'a size of 0 or more');
    }
    this.previousTime = time;
    this.previousLine = this.lineNumber;
    this.time = time;
    this.bid = bid;
    this.ask = ask;
    this.bidSize = bidSize;
    this.askSize = askSize;
  }

  protected readHeader(line: string): void {
    const { names, find, require } = csvHeader(line, (problem) => this.fail(problem));
    this.timeColumn = require(TIME_COLUMNS);
    this.bidColumn = require(['bid']);
    this.askColumn = require(['ask']);
    this.bidSizeColumn = find(BID_SIZE_COLUMNS);
    this.askSizeColumn = find(ASK_SIZE_COLUMNS);
    if ((this.bidSizeColumn < 0) !== (this.askSizeColumn < 0)) {
      this.fail(`header ${JSON.stringify(line.slice(0, 160))} has a size column for one side only; expected both bid_size and ask_size, or neither`);
    }
    this.fields.names = names;
    this.columnCount = names.length;
  }

  protected assumeLayout(count: number): void {
    if (count < 3) this.fail(`received ${count} columns, expected time,bid,ask (Kraken Spread entries) or a header naming unix, bid and ask`);
    this.fields.names = ['time', 'bid', 'ask', 'column 4', 'column 5', 'column 6', 'column 7'].slice(0, count);
    this.timeColumn = 0;
    this.bidColumn = 1;
    this.askColumn = 2;
    this.columnCount = count;
  }

}

export interface SpreadFileOptions {
  /** BASE/QUOTE; inferred from the file name when absent. */
  readonly instrumentId?: string;
  /** Inclusive, epoch ms (compared with the replayed time). */
  readonly from?: EpochMs;
  /** Exclusive, epoch ms. */
  readonly to?: EpochMs;
  readonly chunkSize?: number;
  /** How errors name the `instrumentId` option: the CLI flag or config path it came from. Default `instrumentId`. */
  readonly optionNames?: { readonly instrumentId?: string };
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** Streams Quote objects from a spread file. */
export class QuoteFileIterator implements IterableIterator<Quote> {
  private readonly rows: SpreadRowReader;
  private readonly instrumentId: InstrumentId;
  private readonly from: number;
  private readonly to: number;
  private finished = false;

  constructor(file: string, instrumentId: InstrumentId, from: number, to: number, chunkSize: number) {
    this.rows = new SpreadRowReader(file, chunkSize);
    this.instrumentId = instrumentId;
    this.from = from;
    this.to = to;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Quote, undefined> {
    const rows = this.rows;
    try {
      while (!this.finished && rows.read()) {
        if (rows.time < this.from) continue;
        if (rows.time >= this.to) break;
        const quote: Quote = { instrumentId: this.instrumentId, time: rows.time, bid: rows.bid, bidSize: rows.bidSize, ask: rows.ask, askSize: rows.askSize };
        return { done: false, value: quote };
      }
    } catch (error) {
      this.return();
      throw error;
    }
    return this.return();
  }

  return(): IteratorResult<Quote, undefined> {
    this.finished = true;
    this.rows.close();
    return DONE;
  }
}

/** A quote file that can be iterated any number of times, each pass streaming from disk. */
export interface QuoteFileSource extends Iterable<Quote> {
  readonly file: string;
  readonly instrumentId: InstrumentId;
  [Symbol.iterator](): QuoteFileIterator;
}

/**
 * Opens a Kraken Spread CSV (`unix,bid,ask,date,spread`, see SpreadRowReader) for streaming Quote
 * objects. The first row is read now, so an empty or malformed file fails here, not mid-run.
 */
export function openSpreadFile(file: string, options: SpreadFileOptions = {}): QuoteFileSource {
  const id = instrumentOfFile(file, inferFromFileName(file), options.instrumentId, options.optionNames?.instrumentId ?? 'instrumentId');
  if (id === undefined) {
    throw new DataError(file, undefined, 'cannot tell the instrument from the file name: pass it explicitly (instrumentId: "BTC/USD", or --instrument BTC/USD)');
  }
  const instrumentId = id;
  const { from, to } = rangeOption(options.from, options.to);
  const chunkSize = chunkSizeOption(options.chunkSize, DEFAULT_CHUNK_SIZE);
  const probe = new SpreadRowReader(file, chunkSize);
  try {
    if (!probe.read()) throw new DataError(file, undefined, 'no quote rows: the file is empty or holds only a header (Kraken spreads: unix,bid,ask,...)');
  } finally {
    probe.close();
  }
  return {
    file,
    instrumentId,
    [Symbol.iterator]: () => new QuoteFileIterator(file, instrumentId, from, to, chunkSize),
  };
}

/** True for a CSV first line that names bid and ask columns: a spreads (top of book) file. */
export function isSpreadHeader(line: string): boolean {
  const names = line.split(',').map((name) => name.trim().toLowerCase());
  return names.includes('bid') && names.includes('ask') && TIME_COLUMNS.some((name) => names.includes(name));
}
