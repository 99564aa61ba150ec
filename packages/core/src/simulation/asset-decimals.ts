/**
 * Decimal places Kraken keeps for an asset's balances and ledger entries (the `precision` of each
 * asset in Kraken's WebSocket v2 `instrument` channel, captured March 2024). The simulated venue
 * rounds fees to these places, since Kraken books a fee as a ledger entry in the fee asset.
 */
export const KRAKEN_ASSET_DECIMALS: Readonly<Record<string, number>> = Object.freeze({
  USD: 4,
  EUR: 4,
  GBP: 4,
  AUD: 4,
  CAD: 4,
  CHF: 4,
  AED: 4,
  JPY: 2,
  BTC: 10,
  XBT: 10,
  ETH: 10,
  USDT: 8,
  USDC: 8,
  DAI: 10,
  PYUSD: 8,
  TUSD: 8,
  EURT: 8,
});

/** Assets missing from the table are crypto assets in practice; 8 places is the common Kraken precision for them. */
export const DEFAULT_ASSET_DECIMALS = 8;

export function krakenAssetDecimals(asset: string): number {
  return KRAKEN_ASSET_DECIMALS[asset.toUpperCase()] ?? DEFAULT_ASSET_DECIMALS;
}
