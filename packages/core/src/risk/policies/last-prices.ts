import type { Decimal } from '../../model/decimal.js';
import { decimalRecordAt, decimalRecordToJson } from '../../persistence/state-json.js';
import type { JournaledEvent } from '../../model/events.js';
import type { RiskView } from '../risk-policy.js';

/**
 * The last price a policy has seen per instrument: the market price of each order it checked and
 * the price of each fill it observed. Policies only see the market through orders and fills, so
 * an instrument that neither trades nor gets orders keeps the price it had then.
 */
export class LastPrices {
  private readonly prices = new Map<string, Decimal>();

  get(instrumentId: string): Decimal | undefined {
    return this.prices.get(instrumentId);
  }

  /** Records the view's market price of the order's instrument. */
  noteView(view: RiskView): void {
    if (view.lastPrice !== undefined) this.prices.set(view.instrument.id, view.lastPrice);
  }

  /** The prices as `{ instrumentId: "price" }`, for a policy's snapshot. */
  toJSON(): Record<string, string> {
    return decimalRecordToJson(this.prices);
  }

  /** Replaces the prices with those of an earlier `toJSON`. */
  restore(value: unknown, where: string): void {
    const prices = decimalRecordAt(value, where);
    this.prices.clear();
    for (const [id, price] of prices) this.prices.set(id, price);
  }

  /** Records fill prices. */
  noteEvent(event: JournaledEvent): void {
    if (event.type === 'order-filled') this.prices.set(event.fill.instrumentId, event.fill.price);
  }
}
