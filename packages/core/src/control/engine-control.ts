import type { Engine } from '../engine/engine.js';
import type { InstrumentProvider, UntrackedOrder } from '../exchange/exchange.js';
import type { InstrumentId } from '../model/ids.js';
import { Decimal } from '../model/decimal.js';
import { checkOrderRules, explainOrderRuleViolation, roundQuantity } from '../model/instrument.js';
import { orderJson } from '../report/report-json.js';
import type { BotControl, BotStatus, PanicReport, PanicRequest, ResumeReport, ResumeRequest, StatusUntrackedOrder } from './control-protocol.js';
import { panicEngine, resumeEngine } from './operator-commands.js';

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

export { OPERATOR_STRATEGY_ID } from './operator-commands.js';

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
      return resumeEngine(engine, request);
    },

    async panic(request: PanicRequest): Promise<PanicReport> {
      return panicEngine(engine, options.instruments, request);
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
