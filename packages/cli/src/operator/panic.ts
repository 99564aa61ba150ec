import { instrumentId, type Decimal, type EpochMs, type Instrument, type InstrumentId } from '@kbot/core';
import type { OperatorVenue, PlacedOrder } from './operator-venue.js';
import { planMarketSale } from './sale-plan.js';

export interface PanicOptions {
  /** Also sell every asset except the quote (and `keep`) with market orders. */
  readonly flatten?: boolean;
  /** The asset positions are sold into, e.g. `USD`. */
  readonly quote: string;
  /** Assets never sold besides the quote (stablecoins, fee tokens). */
  readonly keep?: readonly string[];
  /**
   * Stops the calling bot from trading (its trading state to `halted`) before anything is canceled,
   * so it cannot place new orders while panic cleans up. The command line has no running bot to halt.
   */
  readonly halt?: () => void | Promise<void>;
  /** Wall clock, epoch ms (for the report). */
  readonly now?: () => number;
}

export interface PanicSale {
  readonly asset: string;
  readonly instrumentId: InstrumentId;
  readonly quantity: Decimal;
  readonly order: PlacedOrder;
}

export interface PanicLeftover {
  readonly asset: string;
  /** What was not sold (the total balance, or what stayed held). */
  readonly quantity: Decimal;
  readonly reason: string;
}

export interface PanicReport {
  readonly time: EpochMs;
  readonly exchangeId: string;
  readonly endpoint: string;
  /** `halted` when a halt hook ran, `no-bot` when there was none (command line), `failed` when it threw. */
  readonly halt: 'halted' | 'no-bot' | 'failed';
  /** Orders the venue canceled; undefined when canceling failed (see `errors`). */
  readonly canceled: number | undefined;
  readonly flatten: boolean;
  readonly quote: string;
  readonly sold: readonly PanicSale[];
  readonly unsold: readonly PanicLeftover[];
  /** Every step that failed, one line each; an empty list means everything asked was done. */
  readonly errors: readonly string[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The kill switch: halt (when called by a bot), cancel every open order, and with `flatten` sell
 * every other asset into the quote at market, respecting the pairs' lot sizes and minimums.
 * It never stops half-way on an error: each failed step is recorded and the next is tried, because
 * an operator who pulls this wants as much of it done as possible. Amounts that cannot be sold
 * (no pair, below the minimum, held by an order that did not cancel) are listed with the reason.
 */
export async function panic(venue: OperatorVenue, options: PanicOptions): Promise<PanicReport> {
  const now = options.now ?? Date.now;
  const time = now();
  const errors: string[] = [];
  let halt: PanicReport['halt'] = 'no-bot';
  if (options.halt !== undefined) {
    try {
      await options.halt();
      halt = 'halted';
    } catch (error) {
      halt = 'failed';
      errors.push(`halt: ${message(error)}`);
    }
  }

  let canceled: number | undefined;
  try {
    canceled = await venue.cancelAllOrders();
  } catch (error) {
    errors.push(`cancel all orders: ${message(error)}`);
  }

  const sold: PanicSale[] = [];
  const unsold: PanicLeftover[] = [];
  const quote = options.quote.toUpperCase();
  if (options.flatten) {
    try {
      await flatten(venue, quote, new Set([quote, ...(options.keep ?? []).map((asset) => asset.toUpperCase())]), sold, unsold, errors);
    } catch (error) {
      errors.push(`flatten: ${message(error)}`);
    }
  }
  return { time, exchangeId: venue.exchangeId, endpoint: venue.endpoint, halt, canceled, flatten: options.flatten === true, quote, sold, unsold, errors };
}

async function flatten(venue: OperatorVenue, quote: string, keep: ReadonlySet<string>, sold: PanicSale[], unsold: PanicLeftover[], errors: string[]): Promise<void> {
  const [balances, instruments] = await Promise.all([venue.fetchBalances(), venue.instruments()]);
  const candidates: { asset: string; total: Decimal; available: Decimal; instrument: Instrument }[] = [];
  for (const balance of balances) {
    if (keep.has(balance.asset) || balance.total.lessThanOrEqualTo(0)) continue;
    if (balance.asset.includes('.')) {
      unsold.push({ asset: balance.asset, quantity: balance.total, reason: 'a staking or earn balance: it cannot be traded until it is moved to spot' });
      continue;
    }
    let id: InstrumentId | undefined;
    try {
      id = instrumentId(`${balance.asset}/${quote}`);
    } catch {
      id = undefined;
    }
    const instrument = id === undefined ? undefined : instruments.find((candidate) => candidate.id === id);
    if (instrument === undefined) {
      unsold.push({ asset: balance.asset, quantity: balance.total, reason: `the venue has no ${balance.asset}/${quote} pair to sell it on` });
      continue;
    }
    candidates.push({ asset: balance.asset, total: balance.total, available: balance.available, instrument });
  }
  const prices = await venue.fetchPrices(candidates.map((candidate) => candidate.instrument.id));
  for (const { asset, total, available, instrument } of candidates) {
    const held = total.minus(available);
    if (held.greaterThan(0)) unsold.push({ asset, quantity: held, reason: 'held by an open order that was not canceled' });
    if (available.lessThanOrEqualTo(0)) continue;
    const plan = planMarketSale(instrument, available, prices.get(instrument.id)?.bid);
    if (!plan.ok) {
      unsold.push({ asset, quantity: available, reason: plan.reason });
      continue;
    }
    try {
      const order = await venue.submitMarketOrder({ instrument, side: 'sell', quantity: plan.quantity });
      sold.push({ asset, instrumentId: instrument.id, quantity: plan.quantity, order });
      const rest = available.minus(plan.quantity);
      if (rest.greaterThan(0)) unsold.push({ asset, quantity: rest, reason: `below the lot size of ${instrument.id} (${instrument.quantityIncrement.toFixed()} ${asset})` });
    } catch (error) {
      errors.push(`sell ${plan.quantity.toFixed()} ${asset} on ${instrument.id}: ${message(error)}`);
      unsold.push({ asset, quantity: available, reason: `the sell order failed: ${message(error)}` });
    }
  }
}

