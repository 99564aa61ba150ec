import type { Decimal } from './decimal.js';
import type { InstrumentId } from './ids.js';
import type { EpochMs } from './time.js';

/**
 * A spot position: the base quantity held because of this bot's trades, its average entry price
 * and what closing trades realized. kbot trades spot, so quantity is never negative.
 */
export interface Position {
  readonly instrumentId: InstrumentId;
  readonly quantity: Decimal;
  /** Average entry price of the open quantity (quote per base); zero when flat. */
  readonly averageEntryPrice: Decimal;
  /**
   * What the open quantity cost, exactly (quote). Partial closes remove their share of it; a full
   * close removes the rest, so `quote = start + realized − fees − costBasis` holds to the last digit.
   */
  readonly costBasis: Decimal;
  /** P&L realized by sells against the average entry, before fees, in quote currency. */
  readonly realizedPnl: Decimal;
  /** Fees paid on this instrument's fills, converted to quote currency at the fill price. */
  readonly feesPaid: Decimal;
  readonly openedAt: EpochMs | undefined;
  readonly updatedAt: EpochMs;
}

/** A balance of one asset. `available` excludes what open orders hold. */
export interface Balance {
  readonly asset: string;
  readonly total: Decimal;
  readonly available: Decimal;
}

/** A closed round trip: from flat to flat on one instrument. */
export interface RoundTrip {
  readonly instrumentId: InstrumentId;
  readonly openedAt: EpochMs;
  readonly closedAt: EpochMs;
  readonly quantity: Decimal;
  readonly averageEntryPrice: Decimal;
  readonly averageExitPrice: Decimal;
  /** Realized P&L before fees. */
  readonly grossPnl: Decimal;
  /** Entry and exit fees in quote currency. */
  readonly fees: Decimal;
  /** grossPnl − fees. */
  readonly netPnl: Decimal;
  /** netPnl / cost of the entry. */
  readonly returnFraction: Decimal;
  readonly fills: number;
}
