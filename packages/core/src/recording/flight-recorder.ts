import type { RiskEngineState } from '../risk/risk-engine.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { EventBus, Unsubscribe } from '../bus/event-bus.js';
import type { MarketDataClient, MarketDataSink } from '../exchange/exchange.js';
import type { Instrument } from '../model/instrument.js';
import type { InstrumentId } from '../model/ids.js';
import type { Bar, BookHealth, BookView, Quote, Subscription, Trade } from '../model/market-data.js';
import { checkedHistory } from '../session/warm-up.js';
import type { Balance } from '../model/position.js';
import { barLine, bookHealthLine, bookLine, eventLine, operatorLine, quoteLine, tradeLine, type RecordedOperatorAction } from './recording-lines.js';
import type { BotControl } from '../control/control-protocol.js';
import {
  RECORDING_FORMAT, RECORDING_FORMAT_VERSION, writeRecordingManifest,
  type RecordedInstrument, type RecordedVenueSettings, type RecordingManifest,
} from './recording-manifest.js';
import { pruneRecordings, type PruneOutcome, type RecordingRetention } from './recording-retention.js';
import { DEFAULT_MAX_FILE_BYTES, RecordingWriter, type RecordingWriterOptions } from './recording-writer.js';

/**
 * The simulated venue of a paper session (`runSession`): Kraken's fee tiers, 5 bps slippage on
 * taker fills, 10% of each bar's volume per order, limits filled when traded through. `runSession`
 * builds its paper venue from these, and a parity replay sets the same.
 */
export const PAPER_VENUE_SETTINGS: RecordedVenueSettings = Object.freeze({ fees: 'kraken', slippageBps: 5, maxVolumeParticipation: 0.1, limitFillOn: 'through' });

export interface FlightRecorderOptions extends RecordingWriterOptions {
  readonly bot: string;
  readonly mode: 'paper' | 'live';
  readonly exchange: string;
  readonly configFile: string;
  readonly kbotVersion: string;
  /** Default: `PAPER_VENUE_SETTINGS` in paper mode, null live. */
  readonly venue?: RecordedVenueSettings | null;
  /** Arrival times; default `Date.now`. */
  readonly now?: () => number;
  /**
   * Keeps all of the bot's recordings (this session's and earlier ones under `retention.root`)
   * under a size: before each new file the oldest are deleted (`pruneRecordings`). Default: no limit.
   */
  readonly retention?: RecordingRetention;
  /** Told what each pruning deleted (when it deleted something), for the log. */
  readonly onPrune?: (outcome: PruneOutcome) => void;
  /** Told when pruning failed (a file that could not be deleted); recording goes on. */
  readonly onPruneError?: (error: Error) => void;
  /**
   * Told once when recording fails (a recording file or the manifest cannot be written: a full
   * disk, a read-only folder). Recording files then stop for the rest of the session; the bot goes
   * on, and the manifest says why (`recordingError`) if it can still be written. Never thrown.
   */
  readonly onError?: (error: Error) => void;
}

/**
 * Records a paper or live session: every market-data message the engine receives, with its
 * arrival time, and every order event on the bus, as gzip JSON lines (see `RecordingWriter` for
 * the rotation and what a kill loses, `recording-lines.ts` for the format), plus `manifest.json`.
 * Market data costs one string per message; no Decimal on that path.
 */
export class FlightRecorder {
  readonly dir: string;
  private readonly writer: RecordingWriter;
  private readonly now: () => number;
  private current: RecordingManifest;
  private readonly onError: ((error: Error) => void) | undefined;
  private failed = false;

  constructor(options: FlightRecorderOptions) {
    this.dir = options.dir;
    this.now = options.now ?? Date.now;
    this.onError = options.onError;
    const startedAt = this.now();
    this.current = {
      format: RECORDING_FORMAT,
      version: RECORDING_FORMAT_VERSION,
      bot: options.bot,
      mode: options.mode,
      exchange: options.exchange,
      configFile: options.configFile,
      configSha256: existsSync(options.configFile) ? createHash('sha256').update(readFileSync(options.configFile)).digest('hex') : '',
      kbotVersion: options.kbotVersion,
      startedAt,
      startedAtIso: new Date(startedAt).toISOString(),
      stoppedAt: null,
      reportDir: null,
      resumed: null,
      quoteAsset: null,
      startBalances: null,
      instruments: [],
      venue: options.venue !== undefined ? options.venue : options.mode === 'paper' ? PAPER_VENUE_SETTINGS : null,
      books: 'top-of-book',
      recordingError: null,
    };
    // The recording files stop at their first failed write; the manifest says so.
    const onError = (error: Error) => {
      this.current = { ...this.current, recordingError: error.message };
      this.fail(error);
      this.writeManifest();
    };
    const retention = options.retention;
    if (retention === undefined) {
      this.writer = new RecordingWriter({ ...options, onError });
    } else {
      // Files of at most a quarter of the limit, so that pruning whole files can keep to it; each
      // pruning leaves room for one such file, the one about to be opened.
      const maxFileBytes = Math.min(options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, Math.max(1, Math.floor(retention.maxTotalBytes / 4)));
      const beforeNewFile = () => {
        try {
          const outcome = pruneRecordings(retention, this.dir, maxFileBytes);
          if (outcome.sessions.length > 0 || outcome.files.length > 0) options.onPrune?.(outcome);
        } catch (error) {
          options.onPruneError?.(error as Error);
        }
      };
      this.writer = new RecordingWriter({ ...options, maxFileBytes, beforeNewFile, onError });
    }
    this.writeManifest();
  }

  /** Why recording stopped early (the first failed write), if it did. */
  get error(): Error | undefined {
    return this.writer.error;
  }

  get manifest(): RecordingManifest {
    return this.current;
  }

  /** Lines recorded so far. */
  get lines(): number {
    return this.writer.lines;
  }

  /** A sink that records each message, then hands it to `target`. */
  sink(target: MarketDataSink): MarketDataSink {
    const writer = this.writer;
    const now = this.now;
    return {
      onBar(bar: Bar) {
        writer.write(barLine(now(), bar));
        target.onBar(bar);
      },
      onTrade(trade: Trade) {
        writer.write(tradeLine(now(), trade));
        target.onTrade(trade);
      },
      onQuote(quote: Quote) {
        writer.write(quoteLine(now(), quote));
        target.onQuote(quote);
      },
      onBook(book: BookView) {
        writer.write(bookLine(now(), book));
        target.onBook(book);
      },
      onBookHealth(health: BookHealth) {
        writer.write(bookHealthLine(now(), health));
        target.onBookHealth?.(health);
      },
    };
  }

  /**
   * The client with every subscription's sink recorded (what `kbot run` hands the session), and
   * the history its strategies warm up on recorded as `warm-up` lines: a replay warms them up on
   * the same bars, or its first signals would differ from the session's.
   */
  marketData(client: MarketDataClient): MarketDataClient {
    const recentBars = client.recentBars?.bind(client);
    return {
      subscribe: (subscriptions: readonly Subscription[], sink: MarketDataSink) => client.subscribe(subscriptions, this.sink(sink)),
      unsubscribe: (subscriptions: readonly Subscription[]) => client.unsubscribe(subscriptions),
      close: () => client.close(),
      ...(recentBars === undefined
        ? {}
        : {
            recentBars: async (instrumentId: InstrumentId, interval: number, count: number) => {
              // Checked as the session checks them, so that what is recorded is what the
              // strategies got (a series the session refuses is recorded as nothing).
              const bars = checkedHistory(await recentBars(instrumentId, interval, count), { instrumentId, interval, count });
              const at = this.now();
              for (const bar of bars) this.writer.write(barLine(at, bar, 'warm-up'));
              return bars;
            },
          }),
    };
  }

  /** Records every order event (`order-…`) the bus carries, start-up reconciliation included. */
  attach(bus: EventBus): Unsubscribe {
    return bus.onAny((event) => {
      if (event.type.startsWith('order-')) this.writer.write(eventLine(this.now(), event));
    });
  }

  /**
   * Records an operator's command to the running bot, where it comes between the messages: a
   * parity replay gives the same command at the same point. Call it before the command runs, so
   * the line comes before the events the command causes.
   */
  recordOperator(action: RecordedOperatorAction): void {
    this.writer.write(operatorLine(this.now(), action));
  }

  /** `control` with its panic and resume recorded (recordOperator) before they run; status as it is. */
  recordedControl(control: BotControl): BotControl {
    return {
      status: () => control.status(),
      resume: (request) => {
        this.recordOperator({ command: 'resume', actor: request.actor, ...(request.reason === undefined ? {} : { reason: request.reason }) });
        return control.resume(request);
      },
      panic: (request) => {
        this.recordOperator({ command: 'panic', actor: request.actor, flatten: request.flatten });
        return control.panic(request);
      },
    };
  }

  /** What a replay needs to start where the session started: balances, quote asset, order rules. */
  recordStart(start: { readonly quoteAsset: string; readonly balances: readonly Balance[]; readonly instruments: readonly Instrument[]; readonly risk?: RiskEngineState }): void {
    this.update({
      ...(start.risk === undefined ? {} : { startRisk: start.risk }),
      quoteAsset: start.quoteAsset,
      startBalances: Object.fromEntries(start.balances.filter((balance) => !balance.total.isZero()).map((balance) => [balance.asset, balance.total.toFixed()])),
      instruments: start.instruments.map(recordedInstrument),
    });
  }

  /** Rewrites the manifest with these fields changed. */
  update(patch: Partial<Pick<RecordingManifest, 'reportDir' | 'resumed' | 'stoppedAt' | 'quoteAsset' | 'startBalances' | 'instruments' | 'startRisk'>>): void {
    this.current = { ...this.current, ...patch };
    this.writeManifest();
  }

  /** Flushes and closes the files; stamps the stop time (and anything in `patch`) into the manifest. */
  close(patch: Partial<Pick<RecordingManifest, 'reportDir'>> = {}): void {
    this.writer.close();
    this.update({ stoppedAt: this.now(), ...patch });
  }

  /** Every manifest write is tried (space may come back); a failure is told only if nothing was before. */
  private writeManifest(): void {
    try {
      writeRecordingManifest(this.dir, this.current);
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.onError?.(error);
  }
}

function recordedInstrument(instrument: Instrument): RecordedInstrument {
  return {
    id: instrument.id,
    pricePrecision: instrument.pricePrecision,
    quantityPrecision: instrument.quantityPrecision,
    priceIncrement: instrument.priceIncrement.toFixed(),
    quantityIncrement: instrument.quantityIncrement.toFixed(),
    minQuantity: instrument.minQuantity.toFixed(),
    minCost: instrument.minCost.toFixed(),
    makerFee: instrument.makerFee.toFixed(),
    takerFee: instrument.takerFee.toFixed(),
  };
}
