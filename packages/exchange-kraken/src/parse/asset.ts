/**
 * Kraken asset codes → kbot asset names (spec §2.1).
 *
 * Legacy assets carry a class prefix (`XXBT`, `ZUSD`); modern ones do not, and several modern codes
 * legitimately start with X or Z (`XTZ`, `ZEC`, `ZEUS`). A blind "drop a leading X/Z" rule would
 * mangle those, so the legacy codes are an explicit table (Kraken stopped minting them) and
 * `/Assets` (`key → altname`) can be passed in for anything else.
 */
const LEGACY_ASSETS: Readonly<Record<string, string>> = {
  XXBT: 'XBT',
  XETH: 'ETH',
  XETC: 'ETC',
  XLTC: 'LTC',
  XXRP: 'XRP',
  XXLM: 'XLM',
  XXMR: 'XMR',
  XXDG: 'XDG',
  XZEC: 'ZEC',
  XMLN: 'MLN',
  XREP: 'REP',
  XXTZ: 'XTZ',
  XICN: 'ICN',
  XNMC: 'NMC',
  XXVN: 'XVN',
  XDAO: 'DAO',
  ZUSD: 'USD',
  ZEUR: 'EUR',
  ZGBP: 'GBP',
  ZJPY: 'JPY',
  ZCAD: 'CAD',
  ZAUD: 'AUD',
  ZCHF: 'CHF',
  ZKRW: 'KRW',
};

/** Kraken's own tickers that differ from everyone else's (`XBT` for bitcoin, `XDG` for dogecoin). */
const KRAKEN_ALIASES: Readonly<Record<string, string>> = { XBT: 'BTC', XDG: 'DOGE' };
const REVERSE_ALIASES: Readonly<Record<string, string>> = { BTC: 'XBT', DOGE: 'XDG' };

export interface AssetNameOptions {
  /** `/Assets` result as `code → altname` (e.g. `{ XXBT: 'XBT' }`); consulted before the built-in table. */
  readonly assetNames?: Readonly<Record<string, string>>;
}

/**
 * `XXBT` → `BTC`, `ZUSD` → `USD`, `XDG` → `DOGE`, `USDT` → `USDT`. A `.` suffix marks a separate
 * (earn/staking) balance and is kept: `XBT.M` → `BTC.M`.
 */
export function parseAsset(code: string, options: AssetNameOptions = {}): string {
  if (typeof code !== 'string' || code.trim() === '') {
    throw new TypeError(`Kraken asset: received ${JSON.stringify(code)}, expected an asset code such as "XXBT" or "USDT"`);
  }
  const trimmed = code.trim();
  const dot = trimmed.indexOf('.');
  const head = dot === -1 ? trimmed : trimmed.slice(0, dot);
  const suffix = dot === -1 ? '' : trimmed.slice(dot);
  const known = options.assetNames?.[trimmed];
  if (known !== undefined && known !== trimmed) return parseAsset(known, {});
  const plain = options.assetNames?.[head] ?? LEGACY_ASSETS[head] ?? head;
  return `${KRAKEN_ALIASES[plain] ?? plain}${suffix}`;
}

/** kbot asset name → the short Kraken form used in altnames: `BTC` → `XBT`, `DOGE` → `XDG`. */
export function toKrakenAsset(asset: string): string {
  return REVERSE_ALIASES[asset] ?? asset;
}
