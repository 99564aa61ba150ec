import { MINUTE_MS, instrumentId, type Bar, type Quote, type Trade } from '@kbot/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OhlcResult, TickerResult, TradesResult } from '../rest/types.js';
import { RestMarketDataFallback, redactReason, type FallbackSubscription, type KrakenMarketDataRest, type RestFallbackHost } from './rest-market-data-fallback.js';

const BTC = instrumentId('BTC/USD');
const T0 = 1_700_000_040_000; // a whole minute

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A host with a ledger like the client's, recording what is delivered. */
function fakeHost(subscriptions: FallbackSubscription[], lastTrade?: Trade): RestFallbackHost & { bars: Bar[]; trades: Trade[]; quotes: Quote[]; through: Map<string, number> } {
  const through = new Map<string, number>();
  const bars: Bar[] = [];
  const trades: Trade[] = [];
  const quotes: Quote[] = [];
  return {
    bars,
    trades,
    quotes,
    through,
    subscriptions: () => subscriptions,
    restPair: () => 'XBTUSD',
    barsDeliveredThrough: (id, interval) => through.get(`${id}|${interval}`) ?? Number.NEGATIVE_INFINITY,
    formingBar: () => undefined,
    skipBarsThrough: (id, interval, openTime) => through.set(`${id}|${interval}`, openTime),
    lastTrade: () => lastTrade,
    venueNow: () => Date.now(),
    deliverBar: (bar: Bar) => {
      const key = `${bar.instrumentId}|${bar.interval}`;
      if (bar.openTime <= (through.get(key) ?? Number.NEGATIVE_INFINITY)) return;
      through.set(key, bar.openTime);
      bars.push(bar);
    },
    deliverTrade: (trade) => trades.push(trade),
    deliverQuote: (quote) => quotes.push(quote),
  };
}

function candle(openTime: number, count = 2): readonly [number, string, string, string, string, string, string, number] {
  return [openTime / 1000, '1', '2', '0.5', '1.5', '1.2', '3', count];
}

/** A REST double whose answers the test releases one by one. */
function heldRest(): KrakenMarketDataRest & { pending: { endpoint: string; params: unknown; answer(value: unknown): void }[] } {
  const pending: { endpoint: string; params: unknown; answer(value: unknown): void }[] = [];
  const call = <T>(endpoint: string, params: unknown) => new Promise<T>((resolve) => pending.push({ endpoint, params, answer: (value) => resolve(value as T) }));
  return {
    pending,
    ohlc: (params) => call<OhlcResult>('OHLC', params),
    trades: (params) => call<TradesResult>('Trades', params),
    ticker: (params) => call<TickerResult>('Ticker', params),
  };
}

function fallback(host: RestFallbackHost, rest: KrakenMarketDataRest, reasons: string[] = []): RestMarketDataFallback {
  return new RestMarketDataFallback({ rest, host, graceMs: 10_000, requestGapMs: 1_000, barGraceMs: 5_000, onPolling: (reason) => reasons.push(reason) });
}

describe('RestMarketDataFallback', () => {
  it('polls only once the WebSocket has been down for the grace period, and not at all when it comes back sooner', async () => {
    const rest = heldRest();
    const reasons: string[] = [];
    const subject = fallback(fakeHost([{ kind: 'bars', instrumentId: BTC, interval: MINUTE_MS }]), rest, reasons);
    subject.connectionChanged('open');
    subject.connectionChanged('reconnecting', 'socket hang up');
    await vi.advanceTimersByTimeAsync(9_000);
    subject.connectionChanged('open');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(rest.pending).toEqual([]);
    expect(subject.source).toBe('websocket');

    subject.connectionChanged('reconnecting', 'connect ECONNREFUSED 127.0.0.1:443');
    subject.connectionChanged('reconnecting', 'connect ECONNREFUSED 127.0.0.1:443'); // each attempt reports again: one timer
    await vi.advanceTimersByTimeAsync(9_999);
    expect(subject.source).toBe('none');
    await vi.advanceTimersByTimeAsync(1);
    expect(subject.source).toBe('rest');
    expect(reasons).toEqual(['connect ECONNREFUSED 127.0.0.1:443']);
    expect(rest.pending.map((call) => call.endpoint)).toEqual(['OHLC']);
    subject.stop();
  });

  it('drops an answer still in flight when the WebSocket is back, and asks nothing more', async () => {
    const rest = heldRest();
    const host = fakeHost([{ kind: 'bars', instrumentId: BTC, interval: MINUTE_MS }]);
    host.through.set(`${BTC}|${MINUTE_MS}`, T0 - 3 * MINUTE_MS);
    const subject = fallback(host, rest);
    subject.connectionChanged('reconnecting');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(rest.pending[0]!.params).toEqual({ pair: 'XBTUSD', interval: 1, since: (T0 - 3 * MINUTE_MS) / 1000 });
    subject.connectionChanged('open');
    rest.pending[0]!.answer({ XXBTZUSD: [candle(T0 - 2 * MINUTE_MS), candle(T0 - MINUTE_MS), candle(T0)], last: (T0 - MINUTE_MS) / 1000 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(host.bars).toEqual([]);
    expect(rest.pending).toHaveLength(1);
  });

  it('takes the first answer about a series it knows nothing of as history, and delivers from its newest candle on', async () => {
    const rest = heldRest();
    const host = fakeHost([{ kind: 'bars', instrumentId: BTC, interval: MINUTE_MS }]);
    const subject = fallback(host, rest);
    subject.connectionChanged('connecting');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(rest.pending[0]!.params).toEqual({ pair: 'XBTUSD', interval: 1 });
    // The newest candle is still forming: nothing is delivered yet, the older ones never.
    rest.pending[0]!.answer({ XXBTZUSD: [candle(T0 - 2 * MINUTE_MS), candle(T0 - MINUTE_MS), candle(T0)], last: (T0 - MINUTE_MS) / 1000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(host.bars).toEqual([]);
    expect(rest.pending[1]!.params).toEqual({ pair: 'XBTUSD', interval: 1, since: T0 / 1000 - 1 });
    rest.pending[1]!.answer({ XXBTZUSD: [candle(T0), candle(T0 + MINUTE_MS)], last: T0 / 1000 });
    await vi.advanceTimersByTimeAsync(1);
    expect(host.bars.map((bar) => bar.openTime)).toEqual([T0]);
    subject.stop();
  });

  it('resumes trades after the last one delivered, by trade id, and takes them as history when there is nothing to resume from', async () => {
    const rest = heldRest();
    const last: Trade = { instrumentId: BTC, time: T0 - 1_500, price: 1, quantity: 1, side: 'buy', tradeId: '101' };
    const host = fakeHost([{ kind: 'trades', instrumentId: BTC }], last);
    const subject = fallback(host, rest);
    subject.connectionChanged('reconnecting');
    await vi.advanceTimersByTimeAsync(10_000);
    const row = (id: number, seconds: number) => ['1.0', '0.5', seconds, 's', 'l', '', id];
    expect(rest.pending[0]!.params).toEqual({ pair: 'XBTUSD', since: String(Math.floor((T0 - 1_500) / 1000)) });
    rest.pending[0]!.answer({ XXBTZUSD: [row(100, T0 / 1000 - 2), row(101, T0 / 1000 - 1.5), row(102, T0 / 1000 - 1)], last: '1700000039000000000' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(host.trades.map((trade) => trade.tradeId)).toEqual(['102']);
    expect(rest.pending[1]!.params).toEqual({ pair: 'XBTUSD', since: '1700000039000000000' });
    subject.stop();

    const fresh = fakeHost([{ kind: 'trades', instrumentId: BTC }]);
    const nothingKnown = new RestMarketDataFallback({ rest, host: { ...fresh, venueNow: () => Number.NEGATIVE_INFINITY }, graceMs: 0, requestGapMs: 1_000, barGraceMs: 5_000, onPolling: () => undefined });
    nothingKnown.connectionChanged('connecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(rest.pending[2]!.params).toEqual({ pair: 'XBTUSD' });
    rest.pending[2]!.answer({ XXBTZUSD: [row(7, 1), row(8, 2)], last: '2000000000' });
    await vi.advanceTimersByTimeAsync(1_000);
    rest.pending[3]!.answer({ XXBTZUSD: [row(8, 2), row(9, 3)], last: '3000000000' });
    await vi.advanceTimersByTimeAsync(1);
    expect(fresh.trades.map((trade) => trade.tradeId)).toEqual(['9']);
    nothingKnown.stop();
  });

  it('keeps credentials and query strings of URLs out of the reason it logs', () => {
    expect(redactReason('Unexpected server response: 503 from wss://user:secret@ws.example/v2?token=abc')).toBe('Unexpected server response: 503 from wss://[redacted]@ws.example/v2?[redacted]');
  });
});
