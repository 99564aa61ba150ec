import type { Decimal } from './decimal.js';
import type { ClientOrderId, InstrumentId, StrategyId, TradeId, VenueOrderId } from './ids.js';
import type { OrderSide } from './order.js';
import type { EpochMs } from './time.js';

export type Liquidity = 'maker' | 'taker';

/** One execution of one order at the venue. `tradeId` makes fills idempotent. */
export interface Fill {
  readonly tradeId: TradeId;
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId | undefined;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
  readonly feeAsset: string;
  readonly liquidity: Liquidity;
  readonly time: EpochMs;
}
