import { ExchangeError, ZERO, decimalString, isoTime, type Decimal } from '@kbot/core';
import { EXIT, UsageError } from '../exit-codes.js';
import { parseAmountFlag, parsePairArgument } from '../operator/operator-flags.js';
import { NotConfirmedError, withOperatorSession, type CommandOutcome, type OperatorContext } from '../operator/operator-session.js';
import type { PlacedOrder } from '../operator/operator-venue.js';
import { listedInstrument } from '../operator/listed-instrument.js';
import { planMarketSale } from '../operator/sale-plan.js';
import { placedOrderLine } from '../output/operator-tables.js';

export interface SellFlags {
  readonly config?: string;
  readonly json?: boolean;
  /** How much of the base asset to sell. */
  readonly amount?: string;
  /** Sell all of the available base balance. */
  readonly all?: boolean;
  /** Confirms the sale without asking. */
  readonly yes?: boolean;
}

export function placedOrderJson(order: PlacedOrder): Record<string, string | null> {
  return {
    id: order.id,
    clientOrderId: order.clientOrderId,
    description: order.description,
    status: order.status ?? null,
    filled: order.filled === undefined ? null : decimalString(order.filled),
    averagePrice: order.averagePrice === undefined ? null : decimalString(order.averagePrice),
  };
}

/**
 * `kbot sell <pair> (--amount <qty> | --all)`: manual liquidation with one market sell order,
 * rounded down to the pair's lot size and checked against its minimums first. Every sale is
 * confirmed: `--yes`, or a yes at the terminal prompt.
 */
export async function sellCommand(pairArgument: string, flags: SellFlags, context: OperatorContext): Promise<CommandOutcome & { readonly order: PlacedOrder; readonly quantity: Decimal }> {
  const pair = parsePairArgument(pairArgument, 'pair');
  if ((flags.amount === undefined) === (flags.all !== true)) {
    throw new UsageError(`sell ${pair}: received ${flags.amount === undefined ? 'neither --amount nor --all' : 'both --amount and --all'}, expected one of them (how much ${pair.split('/')[0]} to sell)`);
  }
  const amount: Decimal | undefined = flags.amount === undefined ? undefined : parseAmountFlag(flags.amount, '--amount');
  const audit = {
    command: 'sell',
    args: { pair, ...(amount === undefined ? { all: true } : { amount: decimalString(amount) }) },
    result: (value: { order: PlacedOrder; quantity: Decimal }) => ({ quantity: decimalString(value.quantity), orderId: value.order.id, clientOrderId: value.order.clientOrderId }),
  };
  return withOperatorSession({ flags, context, command: 'kbot sell', account: true, audit }, async ({ venue }) => {
    const instrument = listedInstrument(await venue.instruments(), pair, 'pair', venue.exchangeId);
    const { base, quote } = instrument;
    const [balances, prices] = await Promise.all([venue.fetchBalances(), venue.fetchPrices([pair])]);
    const balance = balances.find((candidate) => candidate.asset === base);
    const available = balance?.available ?? ZERO;
    const total = balance?.total ?? available;
    const requested = amount ?? available;
    // Open orders hold part of the balance (Kraken's BalanceEx); say so when it is why too little is left.
    const held = total.minus(available);
    const heldNote = held.greaterThan(0) ? ` (${decimalString(held)} more is held by open orders)` : '';
    if (requested.greaterThan(available)) {
      throw new ExchangeError('insufficient-funds', `sell ${pair}: ${decimalString(requested)} ${base} asked, but only ${decimalString(available)} ${base} is available${heldNote}`);
    }
    const bid = prices.get(pair)?.bid;
    const plan = planMarketSale(instrument, requested, bid);
    if (!plan.ok) {
      // --all sells what is available: when that is too little, what open orders hold is the reason.
      const tooLittle = amount === undefined && plan.code !== 'market-closed' && plan.code !== 'no-price';
      throw new ExchangeError('invalid-order', `sell ${pair}: ${plan.reason}${tooLittle ? heldNote : ''}; nothing was sent`);
    }
    const estimate = plan.quantity.times(plan.referencePrice).toDecimalPlaces(instrument.pricePrecision);
    const what = `sell ${decimalString(plan.quantity)} ${base} on ${pair} at market (about ${decimalString(estimate)} ${quote} at the bid ${decimalString(plan.referencePrice)}) at ${venue.endpoint}`;
    if (!flags.yes) {
      if (flags.json || context.confirm === undefined) throw new NotConfirmedError(`${what}: add --yes to confirm; nothing was sent`);
      if (!(await context.confirm(`${what}?`))) throw new NotConfirmedError('not confirmed; nothing was sent');
    }
    const order = await venue.submitMarketOrder({ instrument, side: 'sell', quantity: plan.quantity });
    const time = (context.now ?? Date.now)();
    if (flags.json) {
      return {
        exitCode: EXIT.ok,
        order,
        quantity: plan.quantity,
        output: JSON.stringify({
          exchange: venue.exchangeId,
          endpoint: venue.endpoint,
          time: isoTime(time),
          pair,
          side: 'sell',
          requested: decimalString(requested),
          quantity: decimalString(plan.quantity),
          rounded: plan.rounded,
          referencePrice: decimalString(plan.referencePrice),
          order: placedOrderJson(order),
        }),
      };
    }
    const rounding = plan.rounded ? ` (${decimalString(requested)} rounded down to the lot size)` : '';
    return { exitCode: EXIT.ok, order, quantity: plan.quantity, output: `market sell of ${decimalString(plan.quantity)} ${base} on ${pair} sent${rounding}\n${placedOrderLine(order)}` };
  });
}
