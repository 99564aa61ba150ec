import { randomUUID } from 'node:crypto';
import { ConfigError, Decimal, ExchangeError, type Balance, type Exchange, type Instrument, type InstrumentId } from '@kbot/core';
import {
  assetPairAliases,
  krakenSeconds,
  parseAssetPairs,
  parseKrakenBalanceEx,
  type KrakenExchange,
  type KrakenNumber,
  type OrderInfo,
} from '@kbot/exchange-kraken';
import type { MarketPrice, OpenOrderView, OperatorVenue, PlacedOrder } from './operator-venue.js';

/** The configured exchange as a Kraken exchange, or a one-line error naming what was found. */
export function requireKrakenExchange(exchange: Exchange, command: string): KrakenExchange {
  const candidate = exchange as Partial<KrakenExchange>;
  if (exchange.id !== 'kraken' || candidate.rest === undefined || candidate.settings === undefined) {
    throw new ConfigError([{ path: 'exchange', received: JSON.stringify(exchange.id), expected: `the Kraken exchange (kraken({ ... }) from @kbot/exchange-kraken): ${command} talks to Kraken or the Kraken simulator` }]);
  }
  return exchange as KrakenExchange;
}

/** A one-line error naming the environment variables when the exchange has no API key. */
export function requireCredentials(exchange: KrakenExchange, what: string, keyFile: string): void {
  if (exchange.hasCredentials) return;
  const { key, secret } = exchange.settings.keyEnv;
  throw new ConfigError(
    [{ path: `${key} / ${secret}`, received: 'not set', expected: `a Kraken API key and secret in the environment or in the key file ${keyFile} ("kbot keys set"): ${what} reads your account` }],
    'Kraken',
  );
}

function decimal(value: KrakenNumber | undefined, field: string): Decimal {
  try {
    if (value === undefined || value === null || value === '') throw new Error('missing');
    const parsed = new Decimal(value);
    if (!parsed.isFinite()) throw new Error('not finite');
    return parsed;
  } catch {
    throw new ExchangeError('bad-response', `Kraken ${field}: received ${JSON.stringify(value)}, expected a decimal number`);
  }
}

/**
 * OperatorVenue over the Kraken exchange's REST client: the same client, keys, URL, nonce source
 * and rate limiter the bot uses. Reads Balance**Ex** so `available` excludes what open orders hold.
 */
export class KrakenOperatorVenue implements OperatorVenue {
  readonly exchangeId = 'kraken';
  readonly #exchange: KrakenExchange;
  #pairs: Promise<{ instruments: readonly Instrument[]; aliases: ReadonlyMap<string, InstrumentId> }> | undefined;

  constructor(exchange: KrakenExchange) {
    this.#exchange = exchange;
  }

  get endpoint(): string {
    return this.#exchange.rest.baseUrl;
  }

  async instruments(): Promise<readonly Instrument[]> {
    return (await this.#loadPairs()).instruments;
  }

  async fetchBalances(): Promise<readonly Balance[]> {
    return parseKrakenBalanceEx(await this.#exchange.rest.balanceEx());
  }

  async fetchOpenOrders(): Promise<readonly OpenOrderView[]> {
    const [result, pairs] = await Promise.all([this.#exchange.rest.openOrders(), this.#loadPairs()]);
    return Object.entries(result.open ?? {})
      .map(([txid, info]) => openOrderView(txid, info, pairs.aliases))
      .sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
  }

  async fetchPrices(ids: readonly InstrumentId[]): Promise<ReadonlyMap<InstrumentId, MarketPrice>> {
    const prices = new Map<InstrumentId, MarketPrice>();
    if (ids.length === 0) return prices;
    const pairs = await this.#loadPairs();
    const wanted = pairs.instruments.filter((instrument) => ids.includes(instrument.id));
    if (wanted.length === 0) return prices;
    const result = await this.#exchange.rest.ticker({ pair: wanted.map((instrument) => instrument.venueSymbol) });
    for (const [key, info] of Object.entries(result)) {
      // Kraken keys results by pair id, occasionally by another alias (spec §2.2).
      const id = pairs.aliases.get(key);
      if (id === undefined || !ids.includes(id)) continue;
      prices.set(id, { ask: decimal(info.a?.[0], `Ticker ${key}.a`), bid: decimal(info.b?.[0], `Ticker ${key}.b`), last: decimal(info.c?.[0], `Ticker ${key}.c`) });
    }
    return prices;
  }

  async cancelAllOrders(): Promise<number> {
    return (await this.#exchange.rest.cancelAll()).count;
  }

  async submitMarketOrder(order: { readonly instrument: Instrument; readonly side: 'buy' | 'sell'; readonly quantity: Decimal }): Promise<PlacedOrder> {
    const clientOrderId = randomUUID();
    const rest = this.#exchange.rest;
    // A cl_ord_id lets the REST client look the order up instead of resending it after a lost reply.
    const placed = await rest.addOrder({
      pair: order.instrument.venueSymbol,
      type: order.side,
      ordertype: 'market',
      volume: order.quantity.toFixed(order.instrument.quantityPrecision),
      cl_ord_id: clientOrderId,
    });
    const id = placed.txid?.[0];
    if (id === undefined) throw new ExchangeError('bad-response', `Kraken AddOrder: received no txid for ${order.side} ${order.quantity.toFixed()} ${order.instrument.id}, expected the new order's id`);
    let info: OrderInfo | undefined;
    try {
      info = (await rest.queryOrders({ txid: [id] }))[id];
    } catch {
      info = undefined; // the order stands; only its fill is not known yet
    }
    const filled = info === undefined ? undefined : decimal(info.vol_exec, `order ${id}.vol_exec`);
    return {
      id,
      clientOrderId,
      description: placed.descr?.order ?? '',
      status: info?.status,
      filled,
      averagePrice: info === undefined || filled === undefined || filled.isZero() ? undefined : decimal(info.price, `order ${id}.price`),
    };
  }

  #loadPairs(): Promise<{ instruments: readonly Instrument[]; aliases: ReadonlyMap<string, InstrumentId> }> {
    this.#pairs ??= this.#exchange.rest.assetPairs().then((result) => ({ instruments: parseAssetPairs(result, { onInvalidPair: () => undefined }), aliases: assetPairAliases(result) }));
    // A failed load is not cached: the next call asks again.
    this.#pairs.catch(() => (this.#pairs = undefined));
    return this.#pairs;
  }
}

function openOrderView(txid: string, info: OrderInfo, aliases: ReadonlyMap<string, InstrumentId>): OpenOrderView {
  const descr = info.descr;
  const type = String(descr?.ordertype ?? 'unknown');
  const price = type === 'market' || descr?.price === undefined ? undefined : decimal(descr.price, `order ${txid}.descr.price`);
  return {
    id: txid,
    clientOrderId: typeof info.cl_ord_id === 'string' && info.cl_ord_id !== '' ? info.cl_ord_id : undefined,
    instrumentId: descr?.pair === undefined ? undefined : aliases.get(descr.pair),
    venuePair: String(descr?.pair ?? ''),
    side: descr?.type === 'buy' || descr?.type === 'sell' ? descr.type : undefined,
    type,
    price: price === undefined || price.isZero() ? undefined : price,
    quantity: decimal(info.vol, `order ${txid}.vol`),
    filled: decimal(info.vol_exec, `order ${txid}.vol_exec`),
    status: String(info.status),
    openedAt: krakenSeconds(info.opentm, `order ${txid}.opentm`),
  };
}
