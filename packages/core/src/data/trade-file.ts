import { DataError } from '../errors/errors.js';
import { tradeId as toTradeId, type InstrumentId } from '../model/ids.js';
import type { AggressorSide, Trade } from '../model/market-data.js';
import type { EpochMs } from '../model/time.js';
import { isoTime } from '../model/time.js';
import { CsvRowReader } from './csv-row-reader.js';
import { inferFromFileName, instrumentOfFile } from './file-name-inference.js';
import { chunkSizeOption, rangeOption } from './source-options.js';
import { DEFAULT_CHUNK_SIZE } from './byte-chunk-reader.js';
import { csvHeader } from './csv-header.js';

const PRICE_COLUMNS = ['price'];
const QUANTITY_COLUMNS = ['volume', 'quantity', 'qty', 'amount'];
const TIME_COLUMNS = ['time', 'timestamp'];
const SIDE_COLUMNS = ['side', 'buysell', 'buy/sell', 'taker_side'];
const TRADE_ID_COLUMNS = ['trade_id', 'tradeid', 'id'];
/** Epoch values at or above this are milliseconds (1e11 s would be the year 5138). */
const MILLISECONDS_THRESHOLD = 1e11;

/**
 * Reads Kraken public trades from CSV, one row at a time into reused fields (no allocation per
 * trade). Two layouts: with a header naming `price`, `volume` and `time` (REST trades saved as
 * CSV by download scripts), or without one, either Kraken's time-and-sales download
 * (`timestamp,price,volume`) or REST `/0/public/Trades` rows (`price,volume,time,side,type,misc[,id]`).
 * Times are epoch seconds with a fraction; trades must not go back in time (equal times are normal).
 */
export class TradeRowReader extends CsvRowReader {
  price = 0;
  quantity = 0;
  /** Epoch ms, rounded down. */
  time = 0;
  side: AggressorSide | undefined = undefined;
  /** The trade id text, or undefined when the file has none. */
  tradeIdText: string | undefined = undefined;
  private priceColumn = -1;
  private quantityColumn = -1;
  private timeColumn = -1;
  private sideColumn = -1;
  private tradeIdColumn = -1;
  private timeScale = 0;
  private previousTime = -Infinity;
  private previousLine = 0;

  protected readFields(): void {
    const fields = this.fields;
    const price = fields.number(this.priceColumn);
    if (!(price > 0)) fields.fail(this.priceColumn, 'a positive price');
    const quantity = fields.number(this.quantityColumn);
    if (!(quantity > 0)) fields.fail(this.quantityColumn, 'a positive quantity');
    const rawTime = fields.number(this.timeColumn);
    if (rawTime < 0) fields.fail(this.timeColumn, 'an epoch time');
    // The first trade decides seconds or milliseconds for the whole file.
    if (this.timeScale === 0) this.timeScale = rawTime >= MILLISECONDS_THRESHOLD ? 1 : 1000;
    const time = Math.floor(rawTime * this.timeScale);
    if (time < this.previousTime) {
      this.fail(`time goes backwards: ${isoTime(time)} is before ${isoTime(this.previousTime)} on line ${this.previousLine}; expected trades in time order`);
    }
    this.previousTime = time;
    this.previousLine = this.lineNumber;
    this.time = time;
    this.price = price;
    this.quantity = quantity;
    this.side = this.sideColumn >= 0 ? this.readSide() : undefined;
    this.tradeIdText = this.tradeIdColumn >= 0 ? fields.text(this.tradeIdColumn) : undefined;
  }

  private readSide(): AggressorSide | undefined {
    // Decided on the first letter to avoid a string per trade; the rest of the word is checked too.
    const fields = this.fields;
    const column = this.sideColumn;
    const first = fields.firstByte(column);
    if (first === -1) return undefined;
    const side = first === 98 || first === 66 ? 'buy' : first === 115 || first === 83 ? 'sell' : undefined;
    if (side !== undefined && (fields.length(column) === 1 || fields.text(column).toLowerCase() === side)) return side;
    return fields.fail(column, 'b, s, buy or sell');
  }

  protected readHeader(line: string): void {
    const { names, find, require } = csvHeader(line, (problem) => this.fail(problem));
    this.priceColumn = require(PRICE_COLUMNS);
    this.quantityColumn = require(QUANTITY_COLUMNS);
    this.timeColumn = require(TIME_COLUMNS);
    this.sideColumn = find(SIDE_COLUMNS);
    this.tradeIdColumn = find(TRADE_ID_COLUMNS);
    this.fields.names = names;
    this.columnCount = names.length;
  }

  protected assumeLayout(count: number): void {
    if (count === 3) {
      this.fields.names = ['timestamp', 'price', 'volume'];
      this.timeColumn = 0;
      this.priceColumn = 1;
      this.quantityColumn = 2;
    } else if (count >= 4) {
      this.fields.names = ['price', 'volume', 'time', 'side', 'type', 'misc', 'trade_id'].slice(0, count);
      this.priceColumn = 0;
      this.quantityColumn = 1;
      this.timeColumn = 2;
      this.sideColumn = 3;
      this.tradeIdColumn = count >= 7 ? 6 : -1;
    } else {
      this.fail(`received ${count} columns, expected timestamp,price,volume or price,volume,time,side,... (Kraken trades)`);
    }
    this.columnCount = count;
  }

}

export interface TradeFileOptions {
  /** BASE/QUOTE; inferred from the file name when absent. */
  readonly instrumentId?: string;
  /** Inclusive, epoch ms. */
  readonly from?: EpochMs;
  /** Exclusive, epoch ms. */
  readonly to?: EpochMs;
  readonly chunkSize?: number;
  /** How errors name the `instrumentId` option: the CLI flag or config path it came from. Default `instrumentId`. */
  readonly optionNames?: { readonly instrumentId?: string };
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** Streams Trade objects from a trade file; the iterator result object is reused between calls. */
export class TradeFileIterator implements IterableIterator<Trade> {
  private readonly rows: TradeRowReader;
  private readonly instrumentId: InstrumentId;
  private readonly from: number;
  private readonly to: number;
  private finished = false;
  private readonly result: IteratorYieldResult<Trade> = { done: false, value: undefined as unknown as Trade };

  constructor(file: string, instrumentId: InstrumentId, from: number, to: number, chunkSize: number) {
    this.rows = new TradeRowReader(file, chunkSize);
    this.instrumentId = instrumentId;
    this.from = from;
    this.to = to;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Trade, undefined> {
    const rows = this.rows;
    try {
      while (!this.finished && rows.read()) {
        if (rows.time < this.from) continue;
        if (rows.time >= this.to) break;
        const idText = rows.tradeIdText;
        const trade: Trade = {
          instrumentId: this.instrumentId,
          time: rows.time,
          price: rows.price,
          quantity: rows.quantity,
          side: rows.side,
          tradeId: idText === undefined ? undefined : toTradeId(idText),
        };
        this.result.value = trade;
        return this.result;
      }
    } catch (error) {
      this.return();
      throw error;
    }
    return this.return();
  }

  return(): IteratorResult<Trade, undefined> {
    this.finished = true;
    this.rows.close();
    return DONE;
  }
}

/** A trade file that can be iterated any number of times, each pass streaming from disk. */
export interface TradeFileSource extends Iterable<Trade> {
  readonly file: string;
  readonly instrumentId: InstrumentId;
  [Symbol.iterator](): TradeFileIterator;
}

/** Opens a Kraken trades CSV for streaming Trade objects (see TradeRowReader for the layouts). */
export function openTradeFile(file: string, options: TradeFileOptions = {}): TradeFileSource {
  const id = instrumentOfFile(file, inferFromFileName(file, 'kraken-trades'), options.instrumentId, options.optionNames?.instrumentId ?? 'instrumentId');
  if (id === undefined) {
    throw new DataError(file, undefined, 'cannot tell the instrument from the file name: pass it explicitly (instrumentId: "BTC/USD")');
  }
  const instrumentId = id;
  const { from, to } = rangeOption(options.from, options.to);
  const chunkSize = chunkSizeOption(options.chunkSize, DEFAULT_CHUNK_SIZE);
  return {
    file,
    instrumentId,
    [Symbol.iterator]: () => new TradeFileIterator(file, instrumentId, from, to, chunkSize),
  };
}
