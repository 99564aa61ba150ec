import { ExchangeError, MINUTE_MS, formatInterval, parseInterval, silentLogger, type Bar, type BookView, type Instrument, type Subscription, type Trade } from '@kbot/core';
import { KRAKEN_BOOK_DEPTHS, KRAKEN_LEVEL3_DEPTHS, KRAKEN_OHLC_INTERVALS, KrakenMarketDataClient, type BookHealth } from '@kbot/exchange-kraken';
import { EXIT, UsageError } from '../exit-codes.js';
import { parseCountFlag, parsePairArgument } from '../operator/operator-flags.js';
import { withOperatorSession, type OperatorContext } from '../operator/operator-session.js';
import { bookJson, bookLine, bookScreen, candleJson, candleLine, resyncJson, resyncLine, tradeJson, tradeLine } from '../output/market-lines.js';

export interface MarketFlags {
  readonly config?: string;
  readonly json?: boolean;
  /** Book depth: one of Kraken's 10, 25, 100, 500, 1000. */
  readonly book?: string;
  /** The order-by-order book (level3) instead of price levels; needs API keys. */
  readonly orders?: boolean;
  readonly trades?: boolean;
  /** Candle interval: 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w, 15d (or minutes). */
  readonly ohlc?: string;
  /** Stop after this many updates (book updates, trades and candles; resync lines are not counted). */
  readonly count?: string;
}

export interface MarketContext extends OperatorContext {
  /** Where lines go (stdout). */
  readonly write: (text: string) => void;
  /** Redraw a live table (a terminal, without --json) instead of printing lines. */
  readonly tty: boolean;
  /** Ends the stream (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Minimum time between two redraws of the terminal table; default 100 ms. */
  readonly redrawMs?: number;
  /** Connection notes for people (stderr): lost, reconnecting, back. Not called with --json. */
  readonly status?: (line: string) => void;
}

export interface MarketOutcome {
  readonly exitCode: number;
  /** Book updates, trades and candles printed. */
  readonly updates: number;
  readonly resyncs: number;
}

const DEPTHS: readonly number[] = KRAKEN_BOOK_DEPTHS;
const INTERVAL_NAMES = KRAKEN_OHLC_INTERVALS.map((minutes) => formatInterval(minutes * MINUTE_MS));

/** `--book` → a depth Kraken serves (10, 25, 100, 500, 1000; level3: 10, 100, 1000), or a usage error. */
export function parseBookDepth(value: string, level3 = false): number {
  const depths: readonly number[] = level3 ? KRAKEN_LEVEL3_DEPTHS : DEPTHS;
  const depth = Number(value);
  if (!/^\d+$/.test(value.trim()) || !depths.includes(depth)) {
    throw new UsageError(`--book: received ${JSON.stringify(value)}, expected one of Kraken's ${level3 ? 'level3 (--orders) ' : ''}book depths: ${depths.join(', ')}`);
  }
  return depth;
}

/** `--ohlc` → an interval in ms that Kraken has candles for: `1h`, or minutes such as `60`. */
export function parseCandleInterval(value: string): number {
  const trimmed = value.trim();
  let minutes: number | undefined;
  if (/^\d+$/.test(trimmed)) minutes = Number(trimmed);
  else {
    try {
      minutes = parseInterval(trimmed) / MINUTE_MS;
    } catch {
      minutes = undefined;
    }
  }
  if (minutes === undefined || !(KRAKEN_OHLC_INTERVALS as readonly number[]).includes(minutes)) {
    throw new UsageError(`--ohlc: received ${JSON.stringify(value)}, expected one of Kraken's candle intervals: ${INTERVAL_NAMES.join(', ')} (or minutes: ${KRAKEN_OHLC_INTERVALS.join(', ')})`);
  }
  return minutes * MINUTE_MS;
}

/**
 * `kbot market <pair>`: the configured exchange's public data for one pair, live. The book is
 * Kraken's checksum-verified L2 book (a mismatch drops it and asks for a fresh snapshot: a resync
 * line, never a wrong book); trades as they print; candles as they close. For people: a table
 * redrawn in place on a terminal, one line per update otherwise. With --json: one JSON object per
 * line, prices and quantities as decimal strings. Ends after --count updates or on Ctrl-C.
 */
export async function marketCommand(pairArgument: string, flags: MarketFlags, context: MarketContext): Promise<MarketOutcome> {
  const pair = parsePairArgument(pairArgument, 'pair');
  const orders = flags.orders === true;
  const depth = flags.book === undefined ? 10 : parseBookDepth(flags.book, orders);
  const interval = flags.ohlc === undefined ? undefined : parseCandleInterval(flags.ohlc);
  const limit = flags.count === undefined ? undefined : parseCountFlag(flags.count, '--count');
  const showBook = flags.book !== undefined || orders || (!flags.trades && interval === undefined);
  if (context.signal?.aborted) return { exitCode: EXIT.ok, updates: 0, resyncs: 0 };

  return withOperatorSession({ flags, context, command: 'kbot market' }, async ({ kraken }) => {
    if (orders && !kraken.hasCredentials) {
      throw new UsageError(
        `--orders: Kraken serves the order-by-order book (level3) only on its authenticated WebSocket; set ${kraken.settings.keyEnv.key} and ${kraken.settings.keyEnv.secret} (a key with the "Access WebSockets API" permission)`,
      );
    }
    const instruments = await kraken.instruments.load();
    const instrument: Instrument | undefined = instruments.find((candidate) => candidate.id === pair);
    if (instrument === undefined) {
      const sameBase = instruments.filter((candidate) => candidate.base === pair.split('/')[0]).map((candidate) => candidate.id).slice(0, 6);
      throw new UsageError(`pair: received ${JSON.stringify(pair)}, expected a pair Kraken lists${sameBase.length > 0 ? ` (${sameBase.join(', ')})` : ', such as BTC/USD'}`);
    }

    const json = flags.json === true;
    const tty = context.tty && !json;
    const now = context.now ?? Date.now;
    let updates = 0;
    let resyncs = 0;
    let stopped = false;
    let failure: ExchangeError | undefined;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const stop = () => {
      if (stopped) return;
      stopped = true;
      finish();
    };

    // Terminal mode: the latest book and the last few other lines, redrawn at most every redrawMs.
    const recent: string[] = [];
    let latestBook: BookView | undefined;
    let lastDraw = 0;
    let redraw: NodeJS.Timeout | undefined;
    const draw = () => {
      redraw = undefined;
      lastDraw = now();
      context.write(`\x1b[2J\x1b[H${bookScreen(pair, latestBook, Math.min(depth, 15), instrument, recent, resyncs)}`);
    };
    const scheduleDraw = () => {
      if (redraw !== undefined) return;
      const wait = Math.max(0, (context.redrawMs ?? 100) - (now() - lastDraw));
      if (wait === 0) draw();
      else redraw = setTimeout(draw, wait);
    };
    const note = (line: string) => {
      recent.push(line);
      if (recent.length > 8) recent.shift();
      scheduleDraw();
    };

    const update = (jsonLine: () => string, peopleLine: () => string, book?: BookView) => {
      if (stopped) return;
      updates++;
      if (json) context.write(jsonLine());
      else if (!tty) context.write(peopleLine());
      else if (book !== undefined) {
        latestBook = book;
        scheduleDraw();
      } else note(peopleLine());
      if (limit !== undefined && updates >= limit) stop();
    };

    const onBookHealth = (health: BookHealth) => {
      if (stopped || health.status !== 'resync' || health.instrumentId !== pair) return;
      resyncs++;
      if (json) context.write(resyncJson(pair, health, now()));
      else if (!tty) context.write(resyncLine(pair, health, now()));
      else {
        latestBook = undefined;
        note(resyncLine(pair, health, now()));
      }
    };

    // A client of its own, on the configured exchange's instruments and URL, so the resync
    // reports (which the exchange's shared client keeps to itself) reach this command.
    const client = new KrakenMarketDataClient({
      instruments: kraken.instruments,
      url: kraken.settings.wsUrl,
      logger: silentLogger,
      venueTime: async () => (await kraken.rest.time()).unixtime * 1000,
      onBookHealth,
      // Level3 is a private channel: its own authenticated socket, with a token from REST.
      ...(orders ? { level3: { url: kraken.settings.wsLevel3Url, getToken: async () => (await kraken.rest.getWebSocketsToken()).token } } : {}),
      onConnectionState: (state, detail) => {
        if (stopped) return;
        if (state === 'failed') {
          // The client gave up (a refused upgrade, a terminal close code): end with that error.
          failure = new ExchangeError('unavailable', `Kraken WebSocket ${kraken.settings.wsUrl} stopped: ${detail.reason ?? 'unknown reason'}`);
          stop();
          return;
        }
        if (json || context.status === undefined) return;
        if (state === 'reconnecting' && detail.delayMs !== undefined) {
          context.status(`connection to ${kraken.settings.wsUrl} lost${detail.reason ? ` (${detail.reason})` : ''}; reconnecting${detail.delayMs === undefined ? '' : ` in ${(detail.delayMs / 1000).toFixed(1)} s`} (attempt ${detail.attempt})`);
        } else if (state === 'open' && detail.attempt > 0) context.status(`connection to ${kraken.settings.wsUrl} back; the book restarts from a fresh snapshot`);
      },
    });
    const subscriptions: Subscription[] = [
      ...(showBook ? [{ instrumentId: pair, kind: 'book' as const, depth, ...(orders ? { orders: true } : {}) }] : []),
      ...(flags.trades ? [{ instrumentId: pair, kind: 'trades' as const }] : []),
      ...(interval === undefined ? [] : [{ instrumentId: pair, kind: 'bars' as const, interval }]),
    ];
    const onAbort = () => stop();
    context.signal?.addEventListener('abort', onAbort, { once: true });
    if (context.signal?.aborted) stop();
    try {
      await client.subscribe(subscriptions, {
        onBook: (book) => update(() => bookJson(pair, book, depth, instrument), () => bookLine(pair, book, instrument), book),
        onTrade: (trade: Trade) => update(() => tradeJson(trade, instrument), () => tradeLine(trade, instrument)),
        onBar: (bar: Bar) => update(() => candleJson(bar, instrument), () => candleLine(bar, instrument)),
        onQuote: () => undefined,
      });
      await finished;
      if (failure !== undefined) throw failure;
    } finally {
      context.signal?.removeEventListener('abort', onAbort);
      if (redraw !== undefined) clearTimeout(redraw);
      stopped = true;
      await client.close();
    }
    return { exitCode: EXIT.ok, updates, resyncs };
  });
}
