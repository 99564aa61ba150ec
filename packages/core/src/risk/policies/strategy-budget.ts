import { ZERO, decimalAtMost, decimalLessThan, type Decimal, type DecimalLike } from '../../model/decimal.js';
import type { JournaledEvent } from '../../model/events.js';
import type { Fill } from '../../model/fill.js';
import { splitInstrumentId, type InstrumentId } from '../../model/ids.js';
import { decimalAt, objectAt } from '../../persistence/state-json.js';
import { ALLOW, deny, type RiskPolicy } from '../risk-policy.js';
import { LastPrices } from './last-prices.js';
import { money, orderNotional, orderPrice } from './order-value.js';
import { positiveAmount } from './policy-options.js';

/** Budget per strategy id, in the quote asset: `{ 'ema-rsi': '5000' }`. */
export type StrategyBudgetOptions = Readonly<Record<string, DecimalLike>>;

interface Holding {
  quantity: Decimal;
  cost: Decimal;
}

/**
 * Shares one account between strategies: a strategy's open exposure (what its own fills bought
 * and it has not sold, valued at the last price seen, else its cost; plus what its open buy
 * orders still buy) plus the new order may not exceed its budget. Strategies without a budget
 * are not limited by this policy. Only buys are checked. Code `strategy-budget`.
 */
export function strategyBudget(budgets: StrategyBudgetOptions): RiskPolicy {
  const limits = new Map<string, Decimal>();
  for (const [strategy, amount] of Object.entries(budgets)) limits.set(strategy, positiveAmount(amount, `risk.strategyBudgets.${strategy}`));
  const prices = new LastPrices();
  /** strategy id → instrument id → holding. */
  const holdings = new Map<string, Map<InstrumentId, Holding>>();

  function applyFill(fill: Fill): void {
    let byInstrument = holdings.get(fill.strategyId);
    if (!byInstrument) holdings.set(fill.strategyId, (byInstrument = new Map()));
    const holding = byInstrument.get(fill.instrumentId) ?? { quantity: ZERO, cost: ZERO };
    byInstrument.set(fill.instrumentId, holding);
    if (fill.side === 'buy') {
      holding.quantity = holding.quantity.plus(fill.quantity);
      holding.cost = holding.cost.plus(fill.quantity.times(fill.price));
    } else if (!holding.quantity.isZero()) {
      const sold = decimalLessThan(fill.quantity, holding.quantity) ? fill.quantity : holding.quantity;
      holding.cost = holding.cost.minus(holding.cost.times(sold).dividedBy(holding.quantity));
      holding.quantity = holding.quantity.minus(sold);
    }
  }

  return {
    name: 'strategy-budget',
    snapshot() {
      const kept: Record<string, Record<string, { quantity: string; cost: string }>> = {};
      for (const [strategy, byInstrument] of holdings) {
        const entries: Record<string, { quantity: string; cost: string }> = {};
        for (const [instrumentId, holding] of byInstrument) entries[instrumentId] = { quantity: holding.quantity.toFixed(), cost: holding.cost.toFixed() };
        kept[strategy] = entries;
      }
      return { holdings: kept, prices: prices.toJSON() };
    },
    restore(value: unknown, where: string) {
      const state = objectAt(value, where);
      const restored = new Map<string, Map<InstrumentId, Holding>>();
      for (const [strategy, entries] of Object.entries(objectAt(state['holdings'], `${where}.holdings`))) {
        const byInstrument = new Map<InstrumentId, Holding>();
        for (const [instrumentId, entry] of Object.entries(objectAt(entries, `${where}.holdings.${strategy}`))) {
          const path = `${where}.holdings.${strategy}.${instrumentId}`;
          const holding = objectAt(entry, path);
          byInstrument.set(instrumentId as InstrumentId, { quantity: decimalAt(holding['quantity'], `${path}.quantity`), cost: decimalAt(holding['cost'], `${path}.cost`) });
        }
        restored.set(strategy, byInstrument);
      }
      prices.restore(state['prices'], `${where}.prices`);
      holdings.clear();
      for (const [strategy, byInstrument] of restored) holdings.set(strategy, byInstrument);
    },
    check(order, view) {
      prices.noteView(view);
      const limit = limits.get(order.strategyId);
      if (limit === undefined || order.side === 'sell') return ALLOW;
      const value = orderNotional(order, view.lastPrice);
      if (value === undefined) return ALLOW;
      const quote = view.instrument.quote;
      let exposure = value;
      for (const [instrumentId, holding] of holdings.get(order.strategyId) ?? []) {
        if (holding.quantity.isZero() || splitInstrumentId(instrumentId).quote !== quote) continue;
        const price = prices.get(instrumentId);
        exposure = exposure.plus(price ? holding.quantity.times(price) : holding.cost);
      }
      for (const open of view.portfolio.openOrders()) {
        if (open.strategyId !== order.strategyId || open.side !== 'buy' || splitInstrumentId(open.instrumentId).quote !== quote) continue;
        const price = orderPrice(open, prices.get(open.instrumentId));
        if (price) exposure = exposure.plus(open.quantity.minus(open.filledQuantity).times(price));
      }
      if (decimalAtMost(exposure, limit)) return ALLOW;
      return deny('strategy-budget', `strategy ${order.strategyId} would have ${money(exposure)} ${quote} at risk, above its budget of ${limit.toFixed()} ${quote}`);
    },
    observe(event: JournaledEvent) {
      prices.noteEvent(event);
      if (event.type === 'order-filled') applyFill(event.fill);
    },
  };
}
