import { describe, expect, it } from 'vitest';
import type { MarketDataSink } from '../exchange/exchange.js';
import type { InstrumentId } from '../model/ids.js';
import { FakeMarketDataClient } from './fake-market-data-client.js';
import { bar, book, quote, trade } from './market-data-builders.js';
import { marketDataKind } from './market-data-item.js';

function recordingDataSink(): MarketDataSink & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    onBar: (item) => void seen.push(`bar ${item.close}`),
    onTrade: (item) => void seen.push(`trade ${item.price}`),
    onQuote: (item) => void seen.push(`quote ${item.bid}/${item.ask}`),
    onBook: (item) => void seen.push(`book ${item.bestBid()?.price}/${item.bestAsk()?.price}`),
  };
}

describe('FakeMarketDataClient', () => {
  const btc = 'BTC/USD' as InstrumentId;

  it('records subscriptions and delivers pushed data to the sink in order', async () => {
    const client = new FakeMarketDataClient();
    const sink = recordingDataSink();
    await client.subscribe([{ instrumentId: btc, kind: 'bars', interval: 60_000 }, { instrumentId: btc, kind: 'trades' }], sink);
    await client.subscribe([{ instrumentId: btc, kind: 'trades' }], sink);
    expect(client.subscriptions).toHaveLength(2);
    expect(client.isSubscribed({ instrumentId: btc, kind: 'bars', interval: 60_000 })).toBe(true);
    expect(client.isSubscribed({ instrumentId: btc, kind: 'bars', interval: 300_000 })).toBe(false);
    client.push(bar({ close: 101 }), [trade({ price: 102 }), quote({ bid: 101.5, ask: 102.5 })], book({ bids: [[100, 1], [101, 2]], asks: [[103, 1]] }));
    expect(sink.seen).toEqual(['bar 101', 'trade 102', 'quote 101.5/102.5', 'book 101/103']);
    expect(client.delivered).toBe(4);
    await client.unsubscribe([{ instrumentId: btc, kind: 'trades' }]);
    expect(client.subscriptions.map((subscription) => subscription.kind)).toEqual(['bars']);
    await client.close();
    expect(client.subscriptions).toEqual([]);
    expect(() => client.push(bar())).toThrow(/after close/);
  });

  it('refuses to push before anything subscribed, and things that are not market data', async () => {
    const client = new FakeMarketDataClient();
    expect(() => client.push(bar())).toThrow(/before subscribe/);
    await client.subscribe([], recordingDataSink());
    expect(() => client.push({ nope: 1 } as never)).toThrow(/keys nope/);
    expect(marketDataKind(trade())).toBe('trades');
  });
});
