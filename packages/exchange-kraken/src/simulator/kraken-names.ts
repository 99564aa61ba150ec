import type { Instrument } from '@kbot/core';
import { toKrakenAsset } from '../parse/asset.js';
import { toKrakenPair } from '../parse/pair.js';

/**
 * kbot asset → the code Kraken's REST API uses (spec §2.1). Kraken gave its oldest assets a class
 * prefix (`XXBT`, `ZUSD`) and stopped doing so later; which assets have one is history, not a
 * rule, so it is a table. Everything else uses its plain name (`SOL`, `USDT`).
 */
const PREFIXED_ASSETS: Readonly<Record<string, string>> = {
  BTC: 'XXBT',
  ETH: 'XETH',
  ETC: 'XETC',
  LTC: 'XLTC',
  XRP: 'XXRP',
  XLM: 'XXLM',
  XMR: 'XXMR',
  DOGE: 'XXDG',
  ZEC: 'XZEC',
  MLN: 'XMLN',
  REP: 'XREP',
  USD: 'ZUSD',
  EUR: 'ZEUR',
  GBP: 'ZGBP',
  JPY: 'ZJPY',
  CAD: 'ZCAD',
  AUD: 'ZAUD',
};

/**
 * Pair keys that do not follow "base code + quote code when both are prefixed, else the
 * altname", as Kraken lists them.
 */
const PAIR_KEY_EXCEPTIONS: Readonly<Record<string, string>> = {
  'USDT/USD': 'USDTZUSD',
  'DOGE/USD': 'XDGUSD',
  'DOGE/EUR': 'XDGEUR',
};

const FIAT = new Set(['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'AED']);

/** `BTC` → `XXBT`, `USD` → `ZUSD`, `SOL` → `SOL`. */
export function krakenAssetCode(asset: string): string {
  return PREFIXED_ASSETS[asset] ?? asset;
}

/** Asset class Kraken reports (`currency` for every spot asset). */
export function krakenAssetClass(): string {
  return 'currency';
}

export function isFiatAsset(asset: string): boolean {
  return FIAT.has(asset);
}

/** Every name one pair has on Kraken (spec §2.2). */
export interface KrakenPairNames {
  /** REST result key: `XXBTZUSD`, `SOLUSD`, `XBTUSDT`. */
  readonly key: string;
  /** `XBTUSD`. */
  readonly altname: string;
  /** WebSocket v1 style: `XBT/USD`. */
  readonly wsname: string;
  /** WebSocket v2 symbol, the kbot instrument id: `BTC/USD`. */
  readonly symbol: string;
  /** Asset codes: `XXBT`, `ZUSD`. */
  readonly baseCode: string;
  readonly quoteCode: string;
}

export function krakenPairNames(instrument: Instrument): KrakenPairNames {
  const baseCode = krakenAssetCode(instrument.base);
  const quoteCode = krakenAssetCode(instrument.quote);
  const altname = toKrakenPair(instrument.id);
  const legacy = PREFIXED_ASSETS[instrument.base] !== undefined && PREFIXED_ASSETS[instrument.quote] !== undefined;
  return Object.freeze({
    key: PAIR_KEY_EXCEPTIONS[instrument.id] ?? (legacy ? `${baseCode}${quoteCode}` : altname),
    altname,
    wsname: `${toKrakenAsset(instrument.base)}/${toKrakenAsset(instrument.quote)}`,
    symbol: instrument.id,
    baseCode,
    quoteCode,
  });
}
