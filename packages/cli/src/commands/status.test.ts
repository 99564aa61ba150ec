import { describe, expect, it } from 'vitest';
import type { BotStatus } from '@kbot/core';
import { instrumentId } from '@kbot/core';
import { bookStatusEntry } from '../output/book-health.js';
import { statusText } from './status.js';

/** A running paper bot's status as `kbot run` reports it, with the details `kbot run` adds. */
function status(overrides: Partial<BotStatus> = {}): BotStatus {
  return {
    bot: 'op-bot',
    mode: 'paper',
    pid: 4242,
    startedAt: Date.UTC(2024, 0, 1),
    time: Date.UTC(2024, 0, 1, 1),
    tradingState: 'active',
    quoteAsset: 'USD',
    equity: '10012.5',
    startEquity: '10000',
    pnl: '12.5',
    realizedPnl: '3.25',
    feesPaid: '1.1',
    openOrders: [],
    // An average entry worked out by division, as the portfolio reports it.
    positions: [{ instrumentId: 'BTC/USD', quantity: '0.03', averageEntryPrice: '39796.420969804453374964877797199627139', realizedPnl: '0', feesPaid: '0.5' }],
    balances: [],
    denials: {},
    orderEntryBudget: {},
    details: { bars: 60, fills: 3, lastBarClosedAt: '2024-01-01T01:00:00.000Z', journal: '/tmp/kbot.sqlite', bookHealth: 'ok' },
    ...overrides,
  };
}

describe('statusText', () => {
  it('shows the average entry to at most 8 decimals, trailing zeros dropped', () => {
    const text = statusText(status());
    expect(text).toMatch(/│ BTC\/USD\s+│ -\s+│ 0\.03\s+│ 39796\.4209698\s+│/); // 39796.42096980|4453… rounded to 8 decimals, the trailing 0 dropped
    expect(text).not.toContain('39796.420969804453');
    const round = statusText(status({ positions: [{ instrumentId: 'BTC/USD', quantity: '1', averageEntryPrice: '40000.50000000000', realizedPnl: '0', feesPaid: '0' }] }));
    expect(round).toMatch(/│ 40000\.5\s+│/);
  });

  it('says who holds trading where it is, and which strategy holds each position', () => {
    const text = statusText(status({
      tradingState: 'halted',
      tradingStateHeldBy: [
        { source: 'operator', state: 'reducing', reason: 'operator: kbot resume --reducing' },
        { source: 'max-drawdown', state: 'halted', reason: 'equity 8,900 USD is 11% below its peak of 10,000 USD (limit 10%)' },
      ],
      positions: [{ instrumentId: 'BTC/USD', strategyId: 'ema-rsi', quantity: '0.03', averageEntryPrice: '40000', realizedPnl: '0', feesPaid: '0.5' }],
    }));
    expect(text.split('\n').slice(0, 3)).toEqual([
      'op-bot: paper since 2024-01-01T00:00:00.000Z (pid 4242), trading state HALTED',
      '  reducing by operator: operator: kbot resume --reducing',
      '  halted by max-drawdown: equity 8,900 USD is 11% below its peak of 10,000 USD (limit 10%)',
    ]);
    expect(text).toMatch(/│ BTC\/USD\s+│ ema-rsi\s+│ 0\.03\s+│/);
    // Active and held by nobody: the state line alone.
    expect(statusText(status()).split('\n')[1]).not.toMatch(/ by /);
  });

  it("shows what is left of the venue's trading counter on each pair, and nothing where the venue sets no limit", () => {
    expect(statusText(status({ orderEntryBudget: { 'BTC/USD': 49.5 } }))).toMatch(/│ trading counter left\s+│ BTC\/USD 49\.5\s+│/);
    expect(statusText(status())).not.toContain('trading counter');
  });

  it('lists the open orders on the exchange that the bot does not track, and says nothing when there are none', () => {
    const text = statusText(status({
      untrackedVenueOrders: [
        { venueOrderId: 'OABC12-DEF34-GHI567', venueClientOrderId: 'by-hand-1', instrumentId: 'BTC/USD', side: 'buy', quantity: '0.01', limitPrice: '39500' },
        { venueOrderId: 'OXYZ98-UVW76-RST543' },
      ],
    }));
    expect(text).toContain('2 open orders on the exchange that this bot does not track');
    expect(text).toMatch(/│ OABC12-DEF34-GHI567\s+│ by-hand-1\s+│ BTC\/USD\s+│ buy\s+│ 0\.01\s+│ 39500\s+│/);
    expect(text).toMatch(/│ OXYZ98-UVW76-RST543\s+│ -\s+│ \?\s+│ \?\s+│ \?\s+│ -\s+│/);
    expect(statusText(status())).not.toContain('does not track');
    expect(statusText(status({ untrackedVenueOrders: [] }))).not.toContain('does not track');
  });

  it('labels the session details for people, not with their JSON keys', () => {
    const text = statusText(status());
    expect(text).toMatch(/│ bars this session\s+│ 60\s+│/);
    expect(text).toMatch(/│ fills this session\s+│ 3\s+│/);
    expect(text).toMatch(/│ last bar closed at\s+│ 2024-01-01T01:00:00\.000Z\s+│/);
    expect(text).toMatch(/│ journal\s+│ \/tmp\/kbot\.sqlite\s+│/);
    // A key without a label of its own is spelled out.
    expect(text).toMatch(/│ book health\s+│ ok\s+│/);
    expect(text).not.toMatch(/lastBarClosedAt|bookHealth/);
  });

  it("shows the running bot's order books, verified or resyncing, with their resyncs", () => {
    const books = [
      { instrumentId: instrumentId('BTC/USD'), time: 0, status: 'synced', mismatches: 2, resyncs: 2, ageMs: 0, book: 'l2' },
      { instrumentId: instrumentId('ETH/USD'), time: 0, status: 'resync', mismatches: 1, resyncs: 1, ageMs: 0, reason: 'checksum', book: 'l2' },
      { instrumentId: instrumentId('BTC/USD'), time: 0, status: 'synced', mismatches: 0, resyncs: 0, ageMs: 0, book: 'l3' },
    ] as const;
    // As --json carries them: plain JSON, one entry per book.
    const entries = books.map(bookStatusEntry);
    expect(entries[1]).toEqual({ instrumentId: 'ETH/USD', book: 'l2', status: 'resync', resyncs: 1, mismatches: 1, reason: 'checksum', at: '1970-01-01T00:00:00.000Z' });
    const text = statusText(status({ details: { bars: 1, books: JSON.parse(JSON.stringify(entries)) } }));
    expect(text).toContain('BTC/USD verified (2 resyncs, 2 checksum mismatches), ETH/USD resyncing (1 resync, 1 checksum mismatch), BTC/USD level3 verified');
    // A value of another shape (a bot of another version) is shown as it came.
    expect(statusText(status({ details: { books: 'all fine' } }))).toMatch(/│ order books\s+│ all fine\s+│/);
  });
});
