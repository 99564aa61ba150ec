import { instrumentId, type InstrumentId } from '@kbot/core';
import { toKrakenAsset } from './asset.js';

/**
 * kbot instrument id → the Kraken pair name REST accepts (the AssetPairs `altname`):
 * `BTC/USD` → `XBTUSD`, `DOGE/USDT` → `XDGUSDT`, `ETH/EUR` → `ETHEUR`.
 * WebSocket v2 uses the instrument id itself (`BTC/USD`).
 */
export function toKrakenPair(id: InstrumentId | string): string {
  const [base, quote] = instrumentId(id).split('/') as [string, string];
  return `${toKrakenAsset(base)}${toKrakenAsset(quote)}`;
}
