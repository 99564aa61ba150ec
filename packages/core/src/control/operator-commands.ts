import type { Engine } from '../engine/engine.js';
import type { InstrumentProvider } from '../exchange/exchange.js';
import { Decimal } from '../model/decimal.js';
import { checkOrderRules, explainOrderRuleViolation, roundQuantity } from '../model/instrument.js';
import type { PanicReport, PanicRequest, ResumeReport, ResumeRequest } from './control-protocol.js';

/** The strategy id operator orders carry in the journal and reports. */
export const OPERATOR_STRATEGY_ID = 'operator';

/**
 * The operator's resume: journaled (trading-state-changed) with who asked; an operator's state
 * clears every breaker's request. A running bot's control socket and a parity replay of a
 * recorded session (which applies the operator's actions where the session got them) both call it.
 */
export function resumeEngine(engine: Engine, request: ResumeRequest): ResumeReport {
  const from = engine.risk.state;
  engine.setTradingState('active', `resumed by ${request.actor}${request.reason === undefined ? '' : `: ${request.reason}`}`);
  return { from, tradingState: engine.risk.state };
}

/**
 * The operator's panic, through the engine's own commands (see engineControl): halt (or reduce,
 * to flatten), cancel every open order, sell each open position with a reduce-only market order
 * when `flatten`, then halt. Used by a running bot's control socket and by a parity replay.
 */
export function panicEngine(engine: Engine, instruments: InstrumentProvider, request: PanicRequest): PanicReport {
  const reason = `panic by ${request.actor}${request.flatten ? ' (flatten)' : ''}`;
  const canceled = engine.orders.openOrders().map((order) => order.clientOrderId as string);
  engine.setTradingState(request.flatten ? 'reducing' : 'halted', reason);
  engine.cancelAll();
  const flattenOrders: PanicReport['flattenOrders'][number][] = [];
  const notFlattened: PanicReport['notFlattened'][number][] = [];
  if (request.flatten) {
    for (const position of engine.portfolio.openPositions()) {
      if (!position.quantity.isPositive()) continue;
      const instrument = instruments.get(position.instrumentId);
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
}
