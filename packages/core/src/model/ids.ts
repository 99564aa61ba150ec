declare const brand: unique symbol;

/** A string that the type system keeps apart from other strings. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Canonical instrument symbol, `BASE/QUOTE` with kbot's asset names (e.g. `BTC/USD`). */
export type InstrumentId = Brand<string, 'InstrumentId'>;
/** Id kbot assigns to an order before it leaves the process; unique per bot. */
export type ClientOrderId = Brand<string, 'ClientOrderId'>;
/** Id the venue assigns once it accepts an order (Kraken's txid). */
export type VenueOrderId = Brand<string, 'VenueOrderId'>;
/** Id of one execution at the venue; the key that makes fills idempotent. */
export type TradeId = Brand<string, 'TradeId'>;
export type StrategyId = Brand<string, 'StrategyId'>;

const INSTRUMENT_PATTERN = /^[A-Z0-9.]{1,16}\/[A-Z0-9.]{1,16}$/;

export function instrumentId(symbol: string): InstrumentId {
  const normalized = symbol.trim().toUpperCase();
  if (!INSTRUMENT_PATTERN.test(normalized)) {
    throw new TypeError(`instrument: received ${JSON.stringify(symbol)}, expected BASE/QUOTE such as "BTC/USD"`);
  }
  return normalized as InstrumentId;
}

export function splitInstrumentId(id: InstrumentId): { base: string; quote: string } {
  const [base, quote] = id.split('/') as [string, string];
  return { base, quote };
}

export const clientOrderId = (value: string): ClientOrderId => value as ClientOrderId;
export const venueOrderId = (value: string): VenueOrderId => value as VenueOrderId;
export const tradeId = (value: string): TradeId => value as TradeId;
export const strategyId = (value: string): StrategyId => value as StrategyId;
