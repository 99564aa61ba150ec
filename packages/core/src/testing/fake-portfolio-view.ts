import { InvariantError } from '../errors/errors.js';
import { ZERO, toDecimal, type Decimal, type DecimalLike } from '../model/decimal.js';
import { instrumentId as toInstrumentId, splitInstrumentId, type ClientOrderId, type InstrumentId } from '../model/ids.js';
import { isOrderOpen, type Order } from '../model/order.js';
import type { Balance, Position } from '../model/position.js';
import type { PortfolioView } from '../strategy/strategy.js';

export interface FakePortfolioViewInput {
  /** Totals per asset (`{ USD: '1000' }`); `available` is the total minus what open orders reserve. */
  readonly balances?: Readonly<Record<string, DecimalLike>>;
  readonly positions?: readonly Position[];
  /** Every order the view knows; the open ones count as open orders and reserve funds. */
  readonly orders?: readonly Order[];
  /** Default: the quote balance plus positions at their entry price. */
  readonly equity?: DecimalLike;
  /** Default `USD`. */
  readonly quoteAsset?: string;
}

/**
 * A PortfolioView over fixed data, for testing risk policies and strategy logic without an engine.
 * Reserved funds follow the engine's rule: open buys hold quote (remaining × limit or trigger
 * price), open sells hold base (remaining quantity).
 */
export class FakePortfolioView implements PortfolioView {
  private readonly totals: ReadonlyMap<string, Decimal>;
  private readonly positionList: readonly Position[];
  private readonly orderList: readonly Order[];
  private readonly equityValue: Decimal | undefined;
  readonly quoteAsset: string;

  constructor(input: FakePortfolioViewInput = {}) {
    this.totals = new Map(Object.entries(input.balances ?? {}).map(([asset, amount]) => [asset, toDecimal(amount, `balances.${asset}`)]));
    this.positionList = Object.freeze([...(input.positions ?? [])]);
    this.orderList = Object.freeze([...(input.orders ?? [])]);
    this.equityValue = input.equity === undefined ? undefined : toDecimal(input.equity, 'equity');
    this.quoteAsset = input.quoteAsset ?? 'USD';
  }

  balance(asset: string): Balance {
    const total = this.totals.get(asset) ?? ZERO;
    return Object.freeze({ asset, total, available: total.minus(this.reserved(asset)) });
  }

  balances(): readonly Balance[] {
    return Object.freeze([...this.totals.keys()].sort().map((asset) => this.balance(asset)));
  }

  position(id: InstrumentId | string): Position | undefined {
    const wanted = toInstrumentId(id);
    return this.positionList.find((candidate) => candidate.instrumentId === wanted && !candidate.quantity.isZero());
  }

  positions(): readonly Position[] {
    return Object.freeze(this.positionList.filter((candidate) => !candidate.quantity.isZero()));
  }

  equity(quoteAsset?: string): Decimal {
    if (quoteAsset !== undefined && quoteAsset !== this.quoteAsset) {
      throw new InvariantError(`equity in ${quoteAsset} is not available; this view measures equity in ${this.quoteAsset}`);
    }
    if (this.equityValue !== undefined) return this.equityValue;
    let equity = this.totals.get(this.quoteAsset) ?? ZERO;
    for (const held of this.positions()) {
      if (splitInstrumentId(held.instrumentId).quote === this.quoteAsset) equity = equity.plus(held.quantity.times(held.averageEntryPrice));
    }
    return equity;
  }

  openOrders(id?: InstrumentId | string): readonly Order[] {
    const wanted = id === undefined ? undefined : toInstrumentId(id);
    return Object.freeze(this.orderList.filter((candidate) => isOrderOpen(candidate.status) && (wanted === undefined || candidate.instrumentId === wanted)));
  }

  order(id: ClientOrderId): Order | undefined {
    return this.orderList.find((candidate) => candidate.clientOrderId === id);
  }

  private reserved(asset: string): Decimal {
    let sum = ZERO;
    for (const open of this.openOrders()) {
      const { base, quote } = splitInstrumentId(open.instrumentId);
      const remaining = open.quantity.minus(open.filledQuantity);
      if (open.side === 'sell' && base === asset) sum = sum.plus(remaining);
      const price = open.price ?? open.triggerPrice;
      if (open.side === 'buy' && quote === asset && price !== undefined) sum = sum.plus(remaining.times(price));
    }
    return sum;
  }
}
