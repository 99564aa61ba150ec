import type { ClientOrderId, Decimal } from '@kbot/core';
import type { SimPair } from './pair-catalog.js';
import type { SimOrderType, SimTimeInForce } from './order-request.js';

/** Kraken's order statuses (spec §6.2). */
export type KrakenOrderStatus = 'pending' | 'open' | 'closed' | 'canceled' | 'expired';

/** One order of an account, as Kraken reports it. Mutable: the account updates it as it lives. */
export interface SimOrder {
  readonly txid: string;
  readonly pair: SimPair;
  readonly side: 'buy' | 'sell';
  readonly orderType: SimOrderType;
  /** Ordered base quantity (changes on amend). */
  volume: Decimal;
  /** Limit or trigger price (changes on amend). */
  price: Decimal | undefined;
  postOnly: boolean;
  readonly feeInBase: boolean;
  readonly timeInForce: SimTimeInForce;
  readonly expireAt: number | undefined;
  readonly userref: number | undefined;
  readonly clOrdId: string | undefined;
  status: KrakenOrderStatus;
  /** Market time, epoch ms. */
  readonly openedAt: number;
  /** Wall clock when placed or last amended: the trading counter's penalties depend on it. */
  restingSinceWall: number;
  closedAt: number | undefined;
  reason: string | undefined;
  volExec: Decimal;
  /** Σ quantity × price of the fills, quote. */
  cost: Decimal;
  fee: Decimal;
  readonly trades: string[];
  /** The venue's id for the order's current incarnation (an amend re-submits it). */
  venueClientId: ClientOrderId;
  /** The order was triggered (stop-loss / take-profit): Kraken's `misc` says `stopped`. */
  triggered: boolean;
}

/** One fill, as TradesHistory reports it. */
export interface SimTrade {
  readonly txid: string;
  readonly order: SimOrder;
  readonly postxid: string;
  readonly time: number;
  readonly price: Decimal;
  readonly vol: Decimal;
  readonly cost: Decimal;
  readonly fee: Decimal;
  readonly feeAsset: string;
  readonly maker: boolean;
  /** Integer trade id, unique per pair. */
  readonly tradeId: number;
  readonly ledgers: readonly string[];
}

/** One ledger entry (a trade moves two: base and quote). */
export interface LedgerEntry {
  readonly id: string;
  readonly refid: string;
  readonly time: number;
  readonly type: 'trade';
  /** kbot asset name. */
  readonly asset: string;
  readonly amount: Decimal;
  readonly fee: Decimal;
  readonly balance: Decimal;
}

export function isOpenStatus(status: KrakenOrderStatus): boolean {
  return status === 'open' || status === 'pending';
}

/** Average fill price; zero before any fill. */
export function averagePrice(order: Pick<SimOrder, 'cost' | 'volExec'>): Decimal {
  return order.volExec.isZero() ? order.volExec : order.cost.dividedBy(order.volExec);
}
