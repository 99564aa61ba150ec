import { ExchangeError, defineInstrument, type Instrument, type InstrumentStatus } from '@kbot/core';
import type { BookPrecision } from '../book/book-keeper.js';
import { toKrakenPair } from '../parse/pair.js';
import { isRecord, wsArray, wsDecimal, wsInstrumentId, wsInteger, wsRecord, wsString } from './ws-fields.js';

/** One `instrument` pair as kbot uses it: the Instrument and the precisions the book checksum needs. */
export interface KrakenInstrumentPair {
  /** Kraken's v2 symbol (`BTC/USD`); book, ticker and order messages use it. */
  readonly symbol: string;
  readonly instrument: Instrument;
  readonly precision: BookPrecision;
  /** Kraken's own status text (`online`, `maintenance`, `delisted`, …). */
  readonly venueStatus: string;
}

export interface KrakenInstrumentAsset {
  readonly id: string;
  readonly status: string;
  /** Decimals Kraken keeps for balances of this asset. */
  readonly precision: number;
  readonly precisionDisplay: number | undefined;
}

export interface KrakenInstrumentMessage {
  readonly type: 'snapshot' | 'update';
  readonly pairs: readonly KrakenInstrumentPair[];
  readonly assets: readonly KrakenInstrumentAsset[];
}

const STATUSES: Readonly<Record<string, InstrumentStatus>> = {
  online: 'online',
  cancel_only: 'cancel-only',
  post_only: 'post-only',
  limit_only: 'limit-only',
  reduce_only: 'reduce-only',
};

/**
 * One `instrument` pair (spec §8.8) → Instrument, mirroring parse/asset-pairs.ts. The channel
 * carries no fee schedule, so maker and taker fees are core's defaults; take them from
 * AssetPairs or TradeVolume when fees matter. `venueSymbol` is the REST name (`XBTUSD`).
 */
export function parseInstrumentPair(entry: unknown): KrakenInstrumentPair {
  const fields = wsRecord(entry, 'instrument pair');
  const symbol = wsString(fields.symbol, 'instrument.pairs[].symbol');
  const field = (name: string): string => `instrument ${symbol}.${name}`;
  const id = wsInstrumentId(symbol, field('symbol'));
  const pricePrecision = wsInteger(fields.price_precision, field('price_precision'));
  const quantityPrecision = wsInteger(fields.qty_precision, field('qty_precision'));
  const venueStatus = typeof fields.status === 'string' ? fields.status : 'online';
  try {
    const instrument = defineInstrument({
      id,
      venueSymbol: toKrakenPair(id),
      pricePrecision,
      quantityPrecision,
      ...(fields.price_increment === undefined ? {} : { priceIncrement: wsDecimal(fields.price_increment, field('price_increment')) }),
      ...(fields.qty_increment === undefined ? {} : { quantityIncrement: wsDecimal(fields.qty_increment, field('qty_increment')) }),
      minQuantity: fields.qty_min === undefined ? 0 : wsDecimal(fields.qty_min, field('qty_min')),
      minCost: fields.cost_min === undefined ? 0 : wsDecimal(fields.cost_min, field('cost_min')),
      // maintenance, delisted, work_in_progress and anything new: not tradable until Kraken says otherwise
      status: STATUSES[venueStatus] ?? 'offline',
    });
    return { symbol, instrument, precision: { pricePrecision, quantityPrecision }, venueStatus };
  } catch (error) {
    if (error instanceof ExchangeError) throw error;
    throw new ExchangeError('bad-response', `Kraken WebSocket instrument ${symbol}: ${(error as Error).message}`, { cause: error });
  }
}

function parseAssetEntry(entry: unknown): KrakenInstrumentAsset {
  const fields = wsRecord(entry, 'instrument asset');
  const id = wsString(fields.id, 'instrument.assets[].id');
  return {
    id,
    status: typeof fields.status === 'string' ? fields.status : 'enabled',
    precision: wsInteger(fields.precision, `instrument asset ${id}.precision`),
    precisionDisplay: fields.precision_display === undefined ? undefined : wsInteger(fields.precision_display, `instrument asset ${id}.precision_display`),
  };
}

/**
 * An `instrument` message's `data` (`{assets, pairs}`) → parsed pairs and assets. A pair or
 * asset that cannot be read is reported through `onInvalid` and skipped, so one odd listing
 * (Kraken adds tokenized assets and new fields over time) cannot take the whole snapshot down.
 */
export function parseInstrumentMessage(type: 'snapshot' | 'update', data: unknown, onInvalid?: (what: string, error: Error) => void): KrakenInstrumentMessage {
  const fields = wsRecord(data, 'instrument.data');
  const pairs: KrakenInstrumentPair[] = [];
  const assets: KrakenInstrumentAsset[] = [];
  const collect = <T>(list: unknown, name: string, parse: (entry: unknown) => T, into: T[]): void => {
    if (list === undefined) return;
    wsArray(list, `instrument.${name}`).forEach((entry, index) => {
      try {
        into.push(parse(entry));
      } catch (error) {
        const label = isRecord(entry) && typeof (entry.symbol ?? entry.id) === 'string' ? String(entry.symbol ?? entry.id) : `#${index}`;
        if (onInvalid === undefined) throw error;
        onInvalid(`instrument.${name} ${label}`, error as Error);
      }
    });
  };
  collect(fields.pairs, 'pairs', parseInstrumentPair, pairs);
  collect(fields.assets, 'assets', parseAssetEntry, assets);
  return { type, pairs, assets };
}
