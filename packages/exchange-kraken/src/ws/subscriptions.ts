import { ConfigError } from '@kbot/core';
import { KRAKEN_BOOK_DEPTHS } from '../book/l2-book.js';
import { KRAKEN_OHLC_INTERVALS } from './parse-ohlc.js';

export type KrakenBookDepth = (typeof KRAKEN_BOOK_DEPTHS)[number];
/** Depths Kraken's `level3` channel accepts, in price levels (spec §8.11). */
export const KRAKEN_LEVEL3_DEPTHS = [10, 100, 1000] as const;
export type KrakenLevel3Depth = (typeof KRAKEN_LEVEL3_DEPTHS)[number];
export type KrakenOhlcInterval = (typeof KRAKEN_OHLC_INTERVALS)[number];

/** What to subscribe to (spec §8.5–8.13). Defaults are Kraken's. */
export type KrakenSubscription =
  | { readonly channel: 'ticker'; readonly symbols: readonly string[]; readonly eventTrigger?: 'trades' | 'bbo'; readonly snapshot?: boolean }
  | { readonly channel: 'book'; readonly symbols: readonly string[]; readonly depth?: KrakenBookDepth; readonly snapshot?: boolean }
  /** Every resting order (authenticated: a private client, whose URL may be Kraken's level3 endpoint). */
  | { readonly channel: 'level3'; readonly symbols: readonly string[]; readonly depth?: KrakenLevel3Depth }
  | { readonly channel: 'ohlc'; readonly symbols: readonly string[]; readonly interval?: KrakenOhlcInterval; readonly snapshot?: boolean }
  | { readonly channel: 'trade'; readonly symbols: readonly string[]; readonly snapshot?: boolean }
  | { readonly channel: 'instrument'; readonly snapshot?: boolean; readonly includeTokenizedAssets?: boolean }
  | {
      readonly channel: 'executions';
      /** Open orders in the snapshot (default true). */
      readonly snapOrders?: boolean;
      /** The last 50 fills in the snapshot (default false); after a reconnect, reconcile with them. */
      readonly snapTrades?: boolean;
      /** Every status transition (default true) or only new, filled, canceled, expired. */
      readonly orderStatus?: boolean;
      readonly rateCounter?: boolean;
    }
  | { readonly channel: 'balances'; readonly snapshot?: boolean };

export type KrakenChannel = KrakenSubscription['channel'];

/** Channels that need the authenticated endpoint and a token. */
export const PRIVATE_CHANNELS: ReadonlySet<KrakenChannel> = new Set(['executions', 'balances', 'level3']);

/**
 * One live subscription as Kraken keys it: book by (symbol, depth), ohlc by (symbol, interval),
 * other symbol channels by symbol, the rest by channel (spec §8.5). Kraken acknowledges per symbol.
 */
export interface SubscriptionKeyParts {
  readonly channel: KrakenChannel;
  readonly symbol: string | undefined;
  /** Book depth or ohlc interval. */
  readonly variant: number | undefined;
}

export function subscriptionKey(parts: SubscriptionKeyParts): string {
  return `${parts.channel}|${parts.symbol ?? ''}|${parts.variant ?? ''}`;
}

/** The per-symbol entries a subscription stands for, plus the params shared by all of them. */
export interface ExpandedSubscription {
  readonly channel: KrakenChannel;
  readonly symbols: readonly (string | undefined)[];
  readonly variant: number | undefined;
  /** Subscribe params without `symbol` and `token`. */
  readonly subscribeParams: Readonly<Record<string, unknown>>;
  /** Unsubscribe params without `symbol` and `token`: subscribe's minus snapshot and event_trigger (spec §8.5). */
  readonly unsubscribeParams: Readonly<Record<string, unknown>>;
}

function requireSymbols(subscription: { channel: string; symbols: readonly string[] }): readonly string[] {
  if (!Array.isArray(subscription.symbols)) {
    throw new ConfigError([{ path: `${subscription.channel}.symbols`, received: JSON.stringify(subscription.symbols) ?? 'nothing', expected: 'an array of v2 symbols such as ["BTC/USD"]' }], 'Kraken WebSocket subscription');
  }
  const issues = subscription.symbols.flatMap((symbol, index) =>
    typeof symbol === 'string' && /^[^/\s]+\/[^/\s]+$/.test(symbol)
      ? []
      : [{ path: `${subscription.channel}.symbols[${index}]`, received: JSON.stringify(symbol), expected: 'a v2 symbol such as "BTC/USD"' }],
  );
  if (subscription.symbols.length === 0) issues.push({ path: `${subscription.channel}.symbols`, received: '[]', expected: 'at least one symbol' });
  if (issues.length > 0) throw new ConfigError(issues, 'Kraken WebSocket subscription');
  return [...new Set(subscription.symbols)];
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** Checks a subscription and spells out its entries and request params. Throws ConfigError naming the bad field. */
export function expandSubscription(subscription: KrakenSubscription): ExpandedSubscription {
  switch (subscription.channel) {
    case 'ticker': {
      const symbols = requireSymbols(subscription);
      return {
        channel: 'ticker',
        symbols,
        variant: undefined,
        subscribeParams: defined({ channel: 'ticker', event_trigger: subscription.eventTrigger, snapshot: subscription.snapshot }),
        unsubscribeParams: { channel: 'ticker' },
      };
    }
    case 'book': {
      const symbols = requireSymbols(subscription);
      const depth = subscription.depth ?? 10;
      if (!(KRAKEN_BOOK_DEPTHS as readonly number[]).includes(depth)) {
        throw new ConfigError([{ path: 'book.depth', received: String(depth), expected: `one of ${KRAKEN_BOOK_DEPTHS.join(', ')}` }], 'Kraken WebSocket subscription');
      }
      // A book must start from a snapshot: without one the updates have nothing to apply to.
      return {
        channel: 'book',
        symbols,
        variant: depth,
        subscribeParams: { channel: 'book', depth, snapshot: true },
        unsubscribeParams: { channel: 'book', depth },
      };
    }
    case 'level3': {
      const symbols = requireSymbols(subscription);
      const depth = subscription.depth ?? 10;
      if (!(KRAKEN_LEVEL3_DEPTHS as readonly number[]).includes(depth)) {
        throw new ConfigError([{ path: 'level3.depth', received: String(depth), expected: `one of ${KRAKEN_LEVEL3_DEPTHS.join(', ')}` }], 'Kraken WebSocket subscription');
      }
      // Like a book, it must start from a snapshot.
      return { channel: 'level3', symbols, variant: depth, subscribeParams: { channel: 'level3', depth, snapshot: true }, unsubscribeParams: { channel: 'level3', depth } };
    }
    case 'ohlc': {
      const symbols = requireSymbols(subscription);
      const interval = subscription.interval ?? 1;
      if (!(KRAKEN_OHLC_INTERVALS as readonly number[]).includes(interval)) {
        throw new ConfigError([{ path: 'ohlc.interval', received: String(interval), expected: `one of ${KRAKEN_OHLC_INTERVALS.join(', ')} (minutes)` }], 'Kraken WebSocket subscription');
      }
      return {
        channel: 'ohlc',
        symbols,
        variant: interval,
        subscribeParams: defined({ channel: 'ohlc', interval, snapshot: subscription.snapshot }),
        unsubscribeParams: { channel: 'ohlc', interval },
      };
    }
    case 'trade': {
      const symbols = requireSymbols(subscription);
      return { channel: 'trade', symbols, variant: undefined, subscribeParams: defined({ channel: 'trade', snapshot: subscription.snapshot }), unsubscribeParams: { channel: 'trade' } };
    }
    case 'instrument':
      return {
        channel: 'instrument',
        symbols: [undefined],
        variant: undefined,
        subscribeParams: defined({ channel: 'instrument', snapshot: subscription.snapshot, include_tokenized_assets: subscription.includeTokenizedAssets }),
        unsubscribeParams: { channel: 'instrument' },
      };
    case 'executions':
      return {
        channel: 'executions',
        symbols: [undefined],
        variant: undefined,
        subscribeParams: defined({
          channel: 'executions',
          snap_orders: subscription.snapOrders,
          snap_trades: subscription.snapTrades,
          order_status: subscription.orderStatus,
          ratecounter: subscription.rateCounter,
        }),
        unsubscribeParams: { channel: 'executions' },
      };
    case 'balances':
      return { channel: 'balances', symbols: [undefined], variant: undefined, subscribeParams: defined({ channel: 'balances', snapshot: subscription.snapshot }), unsubscribeParams: { channel: 'balances' } };
    default: {
      const channel = (subscription as { channel: unknown }).channel;
      throw new ConfigError(
        [{ path: 'channel', received: JSON.stringify(channel), expected: 'ticker, book, level3, ohlc, trade, instrument, executions or balances' }],
        'Kraken WebSocket subscription',
      );
    }
  }
}
