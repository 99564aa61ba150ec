import type { Engine } from '../engine/engine.js';
import type { InstrumentProvider, UntrackedOrder } from '../exchange/exchange.js';
import type { InstrumentId } from '../model/ids.js';
import { Decimal } from '../model/decimal.js';
import { checkOrderRules, explainOrderRuleViolation, roundQuantity } from '../model/instrument.js';
import { orderJson } from '../report/report-json.js';
import type { BotControl, BotStatus, PanicReport, PanicRequest, ResumeReport, ResumeRequest, StatusUntrackedOrder } from './control-protocol.js';

export interface EngineControlOptions {
  readonly bot: string;
  readonly mode: 'paper' | 'live';
  readonly startedAt: number;
  /**
   * The equity P&L is counted from. Default: `engine.openingEquity()` at each status, the
   * balances the session started with, each asset valued at the first price seen for it.
   */
  readonly startEquity?: Decimal;
  /** The venue's instruments (their lot and minimum rules decide what can be sold). */
  readonly instruments: InstrumentProvider;
  /** Session facts for the status (bars seen, book health, connection state). */
  readonly details?: () => Record<string, unknown>;
  /** The pairs the bot trades: the status gives the venue's order-entry budget left on each. */
  readonly pairs?: readonly InstrumentId[];
}

/** The strategy id operator orders carry in the journal and reports. */
export const OPERATOR_STRATEGY_ID = 'operator';

/**
 * The running engine as the control socket sees it. A panic goes through the engine's own
 * commands, so it is journaled and risk-checked like any order: the state moves to `reducing`
 * (or straight to `halted` without flattening), every open order is canceled, positions are sold
 * with market orders that can only shrink exposure, and then the state is `halted`.
 */
export function engineControl(engine: Engine, options: EngineControlOptions): BotControl {
  return {
    status(): BotStatus {
      const quote = engine.quoteAsset;
      const equity = engine.equity();
      const startEquity = options.startEquity ?? engine.openingEquity();
      return {
        bot: options.bot,
        mode: options.mode,
        pid: process.pid,
        startedAt: options.startedAt,
        time: engine.clock.now(),
        tradingState: engine.risk.state,
        tradingStateHeldBy: engine.risk.stateHolders(),
        quoteAsset: quote,
        equity: equity.toFixed(),
        startEquity: startEquity.toFixed(),
        pnl: equity.minus(startEquity).toFixed(),
        realizedPnl: engine.portfolio.realizedPnl(quote).toFixed(),
        feesPaid: engine.portfolio.feesPaid(quote).toFixed(),
        openOrders: engine.orders.openOrders().map(orderJson),
        positions: engine.portfolio.openPositions().map((position) => ({
          instrumentId: position.instrumentId,
          ...strategyOf(engine, position.instrumentId),
          quantity: position.quantity.toFixed(),
          averageEntryPrice: position.averageEntryPrice.toFixed(),
          realizedPnl: position.realizedPnl.toFixed(),
          feesPaid: position.feesPaid.toFixed(),
        })),
        // Available: what open orders hold taken off, the bot's and the untracked ones (Engine.held).
        balances: engine.portfolio.balances((asset) => engine.held(asset)).map((balance) => ({ asset: balance.asset, total: balance.total.toFixed(), available: balance.available.toFixed() })),
        denials: Object.fromEntries(engine.denials()),
        orderEntryBudget: orderEntryBudgets(engine, options.pairs ?? []),
        untrackedVenueOrders: engine.untrackedVenueOrders().map(untrackedOrderJson),
        details: options.details?.() ?? {},
      };
    },

    resume(request: ResumeRequest): ResumeReport {
      const from = engine.risk.state;
      // Journaled (trading-state-changed) with who asked; an operator's state clears every breaker's request.
      engine.setTradingState('active', `resumed by ${request.actor}${request.reason === undefined ? '' : `: ${request.reason}`}`);
      return { from, tradingState: engine.risk.state };
    },

    async panic(request: PanicRequest): Promise<PanicReport> {
      const reason = `panic by ${request.actor}${request.flatten ? ' (flatten)' : ''}`;
      const canceled = engine.orders.openOrders().map((order) => order.clientOrderId as string);
      engine.setTradingState(request.flatten ? 'reducing' : 'halted', reason);
      engine.cancelAll();
      const flattenOrders: PanicReport['flattenOrders'][number][] = [];
      const notFlattened: PanicReport['notFlattened'][number][] = [];
      if (request.flatten) {
        for (const position of engine.portfolio.openPositions()) {
          if (!position.quantity.isPositive()) continue;
          const instrument = options.instruments.get(position.instrumentId);
          if (instrument === undefined) {
            notFlattened.push({ instrumentId: position.instrumentId, quantity: position.quantity.toFixed(), reason: 'the venue no longer lists this instrument' });
            continue;
          }
          const quantity = roundQuantity(instrument, position.quantity);
          const last = engine.market.lastPrice(instrument.id);
          if (last === undefined) {
            notFlattened.push({ instrumentId: instrument.id, quantity: position.quantity.toFixed(), reason: 'no market price seen yet, so the order minimums cannot be checked' });
            continue;
          }
          const rules = { quantity, referencePrice: new Decimal(last) };
          const violation = checkOrderRules(instrument, rules);
          if (violation) {
            const reason = `${violation.code} (${violation.message}: ${explainOrderRuleViolation(violation, instrument, rules, { quantity: position.quantity })})`;
            notFlattened.push({ instrumentId: instrument.id, quantity: position.quantity.toFixed(), reason });
            continue;
          }
          const clientOrderId = engine.submit(OPERATOR_STRATEGY_ID, { instrumentId: instrument.id, side: 'sell', type: 'market', quantity, reduceOnly: true, tag: reason });
          flattenOrders.push({ clientOrderId, instrumentId: instrument.id, quantity: quantity.toFixed() });
        }
        // The sells were queued under `reducing`; from here on nothing new may open.
        engine.setTradingState('halted', reason);
      }
      return { tradingState: 'halted', canceled, flattenOrders, notFlattened };
    },
  };
}

/** What the venue still lets the bot send on each pair (Kraken's trading counter, points); pairs without a limit are left out. */
function orderEntryBudgets(engine: Engine, pairs: readonly InstrumentId[]): Record<string, number> {
  const budgets: Record<string, number> = {};
  for (const pair of pairs) {
    const budget = engine.orderEntryBudget(pair);
    if (budget !== undefined) budgets[pair] = Math.floor(budget.remaining * 100) / 100;
  }
  return budgets;
}

/** An untracked venue order with its amounts as text, leaving out what the venue did not say. */
function untrackedOrderJson(order: UntrackedOrder): StatusUntrackedOrder {
  return {
    venueOrderId: order.venueOrderId,
    ...(order.venueClientOrderId === undefined ? {} : { venueClientOrderId: order.venueClientOrderId }),
    ...(order.instrumentId === undefined ? {} : { instrumentId: order.instrumentId }),
    ...(order.side === undefined ? {} : { side: order.side }),
    ...(order.quantity === undefined ? {} : { quantity: order.quantity.toFixed() }),
    ...(order.filledQuantity === undefined ? {} : { filledQuantity: order.filledQuantity.toFixed() }),
    ...(order.limitPrice === undefined ? {} : { limitPrice: order.limitPrice.toFixed() }),
  };
}

/** The owner of a position, as `{ strategyId }`, or nothing when no strategy of the bot opened it. */
function strategyOf(engine: Engine, instrumentId: InstrumentId): { strategyId?: string } {
  const owner = engine.positionOwner(instrumentId);
  return owner === undefined ? {} : { strategyId: owner };
}
