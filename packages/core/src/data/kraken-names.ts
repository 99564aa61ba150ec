import { instrumentId, type InstrumentId } from '../model/ids.js';

/** Kraken's names that differ from the ones everyone else (and kbot) uses. */
const ASSET_ALIASES: Readonly<Record<string, string>> = { XBT: 'BTC', XDG: 'DOGE' };

/**
 * Quote currencies recognised at the end of a concatenated pair name (`XBTUSDT`), longest first
 * so that `USDT` wins over `USD`.
 */
const QUOTE_ASSETS: readonly string[] = ['PYUSD', 'USDT', 'USDC', 'USD', 'EUR', 'GBP', 'CAD', 'JPY', 'CHF', 'AUD', 'DAI', 'XBT', 'BTC', 'ETH'];

/**
 * Legacy Kraken pair ids join two 4-letter codes, each prefixed X (crypto) or Z (fiat):
 * `XXBTZUSD`, `XETHZEUR`, `XXDGXXBT`. Modern codes that merely start with X or Z (`XRP`,
 * `ZEUS`) are never stripped: only this exact 4+4 shape ending in a legacy quote is legacy.
 */
const LEGACY_PAIR = /^[XZ][A-Z0-9]{3}[XZ][A-Z0-9]{3}$/;

/**
 * Kraken's legacy X/Z-prefixed asset codes. An explicit table, as Kraken's own SDK uses, because a
 * blind "strip a leading X or Z" rule would break real 4-letter assets such as `ZEUS`.
 */
const LEGACY_ASSETS: ReadonlySet<string> = new Set([
  'XXBT', 'XXDG', 'XETH', 'XETC', 'XLTC', 'XXRP', 'XXLM', 'XXMR', 'XZEC', 'XREP', 'XMLN',
  'ZUSD', 'ZEUR', 'ZGBP', 'ZCAD', 'ZJPY', 'ZAUD', 'ZCHF',
]);

/** Kraken asset name to kbot's: `XBT` and `XXBT` → `BTC`, `XDG` → `DOGE`, `ZUSD` → `USD`. */
export function krakenAssetName(name: string): string {
  let upper = name.trim().toUpperCase();
  if (LEGACY_ASSETS.has(upper)) upper = upper.slice(1);
  return ASSET_ALIASES[upper] ?? upper;
}

/**
 * A Kraken pair name (`XBTUSD`, `XXBTZUSD`, `XBT/USD`, `ETHUSDT`) as an InstrumentId, or
 * undefined when the name does not end in a known quote currency.
 */
export function krakenPairToInstrumentId(name: string): InstrumentId | undefined {
  const upper = name.trim().toUpperCase();
  const slash = upper.indexOf('/');
  if (slash > 0) return safeInstrumentId(krakenAssetName(upper.slice(0, slash)), krakenAssetName(upper.slice(slash + 1)));
  if (LEGACY_PAIR.test(upper) && LEGACY_ASSETS.has(upper.slice(4))) {
    // A legacy quote (ZUSD, XXBT...) says the base half carries the X/Z prefix too.
    return safeInstrumentId(krakenAssetName(upper.slice(1, 4)), krakenAssetName(upper.slice(5)));
  }
  for (const quote of QUOTE_ASSETS) {
    if (upper.length > quote.length + 1 && upper.endsWith(quote)) {
      return safeInstrumentId(krakenAssetName(upper.slice(0, -quote.length)), krakenAssetName(quote));
    }
  }
  return undefined;
}

/** True for a currency kbot recognises as a quote at the end of a pair name. */
export function isQuoteAsset(name: string): boolean {
  return QUOTE_ASSETS.includes(name.toUpperCase());
}

function safeInstrumentId(base: string, quote: string): InstrumentId | undefined {
  if (base.length < 2 || quote.length < 2 || !/^[A-Z0-9.]+$/.test(base)) return undefined;
  try {
    return instrumentId(`${base}/${quote}`);
  } catch {
    return undefined;
  }
}
