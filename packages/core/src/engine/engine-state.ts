import type { Decimal } from '../model/decimal.js';
import type { TradingState } from '../model/events.js';
import type { ClientOrderId, InstrumentId, StrategyId, TradeId, VenueOrderId } from '../model/ids.js';
import { ORDER_STATUSES } from '../model/order-fsm.js';
import type { Order, OrderSide, OrderStatus, OrderType, TimeInForce } from '../model/order.js';
import type { EpochMs } from '../model/time.js';
import {
  arrayAt, decimalAt, invalidStateField as invalid, objectAt, optionalDecimalAt, optionalTextAt, textAt, timeAt, wholeNumberAt,
} from '../persistence/state-json.js';
import type { PortfolioState } from '../portfolio/portfolio.js';
import type { RiskEngineState } from '../risk/risk-engine.js';

/*
 * What an engine snapshot holds (`EngineSnapshot.state`), as plain JSON: money as exact decimal
 * strings, absent values as null, times as epoch milliseconds. A snapshot plus the journal after
 * it rebuilds the engine; the format number lets a later kbot read (or refuse) an older file.
 */

/** The snapshot format this kbot writes and reads. */
export const ENGINE_STATE_FORMAT = 1;

/** One order in a snapshot, with what recovery needs besides the order itself. */
export interface OrderStateJson {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: string;
  readonly price: string | null;
  readonly triggerPrice: string | null;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly timeInForce: TimeInForce;
  readonly expireAt: number | null;
  readonly tag: string | null;
  readonly features: Readonly<Record<string, number>> | null;
  readonly createdAt: number;
  readonly status: OrderStatus;
  readonly venueOrderId: string | null;
  readonly filledQuantity: string;
  readonly averageFillPrice: string | null;
  readonly fees: Readonly<Record<string, string>>;
  readonly updatedAt: number;
  readonly reason: string | null;
  /** Trade ids of the fills already counted: a venue that reports them again changes nothing. */
  readonly tradeIds: readonly string[];
  /** For `pending-cancel`: the status to go back to if the cancel is refused. */
  readonly statusBeforeCancel: OrderStatus | null;
}

/** `EngineSnapshot.state` as the engine writes it. */
export interface EngineStateJson {
  readonly format: typeof ENGINE_STATE_FORMAT;
  /** Client order ids continue after this counter, so an id is never given twice. */
  readonly orderCounter: number;
  readonly orderIdPrefix: string;
  readonly tradingState: TradingState;
  /** Open orders, the entry orders of open positions and recently finished orders. */
  readonly orders: readonly OrderStateJson[];
  readonly portfolio: PortfolioState;
  /** Each learner's `snapshot()`, by learner id (absent in snapshots written before learners were kept). */
  readonly learners?: readonly { readonly id: string; readonly state: unknown }[];
  /** What each strategy keeps across restarts (`ctx.state`), by strategy id (absent in older snapshots). */
  readonly strategies?: readonly { readonly id: string; readonly state: Readonly<Record<string, unknown>> }[];
  /** Who asked for the trading state, and what each risk policy has learned (absent in snapshots written before they were kept). */
  readonly risk?: RiskEngineState;
}

/** An order read back from a snapshot. */
export interface RestoredOrder {
  readonly order: Order;
  readonly tradeIds: readonly TradeId[];
  readonly statusBeforeCancel: OrderStatus | undefined;
}

const SIDES: ReadonlySet<string> = new Set(['buy', 'sell']);
const TYPES: ReadonlySet<string> = new Set(['market', 'limit', 'stop-loss', 'take-profit']);
const TIMES_IN_FORCE: ReadonlySet<string> = new Set(['gtc', 'ioc', 'gtd']);
const TRADING_STATES: ReadonlySet<string> = new Set(['active', 'reducing', 'halted']);
const STATUSES: ReadonlySet<string> = new Set(ORDER_STATUSES);

export function orderToJson(order: Order, tradeIds: readonly TradeId[], statusBeforeCancel: OrderStatus | undefined): OrderStateJson {
  return {
    clientOrderId: order.clientOrderId,
    strategyId: order.strategyId,
    instrumentId: order.instrumentId,
    side: order.side,
    type: order.type,
    quantity: order.quantity.toFixed(),
    price: order.price?.toFixed() ?? null,
    triggerPrice: order.triggerPrice?.toFixed() ?? null,
    postOnly: order.postOnly,
    reduceOnly: order.reduceOnly,
    timeInForce: order.timeInForce,
    expireAt: order.expireAt ?? null,
    tag: order.tag ?? null,
    features: order.features === undefined ? null : { ...order.features },
    createdAt: order.createdAt,
    status: order.status,
    venueOrderId: order.venueOrderId ?? null,
    filledQuantity: order.filledQuantity.toFixed(),
    averageFillPrice: order.averageFillPrice?.toFixed() ?? null,
    fees: Object.fromEntries(Object.entries(order.fees).map(([asset, fee]) => [asset, fee.toFixed()])),
    updatedAt: order.updatedAt,
    reason: order.reason ?? null,
    tradeIds: [...tradeIds],
    statusBeforeCancel: statusBeforeCancel ?? null,
  };
}

function oneOf<T extends string>(value: unknown, allowed: ReadonlySet<string>, path: string): T {
  if (typeof value !== 'string' || !allowed.has(value)) throw invalid(path, value, [...allowed].map((item) => `"${item}"`).join(', '));
  return value as T;
}

function booleanAt(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalid(path, value, 'true or false');
  return value;
}

/** Reads one order of a snapshot; bad input throws an InvariantError naming the field. */
export function orderFromJson(value: unknown, path: string): RestoredOrder {
  const json = objectAt(value, path);
  const features = json['features'];
  if (features !== null && features !== undefined) {
    for (const [name, number] of Object.entries(objectAt(features, `${path}.features`))) {
      if (typeof number !== 'number') throw invalid(`${path}.features.${name}`, number, 'a number');
    }
  }
  const fees: Record<string, Decimal> = {};
  for (const [asset, fee] of Object.entries(objectAt(json['fees'], `${path}.fees`))) fees[asset] = decimalAt(fee, `${path}.fees.${asset}`);
  const tradeIds = json['tradeIds'];
  if (!Array.isArray(tradeIds) || tradeIds.some((id) => typeof id !== 'string' || id === '')) throw invalid(`${path}.tradeIds`, tradeIds, 'an array of trade ids');
  const beforeCancel = json['statusBeforeCancel'];
  const order: Order = Object.freeze({
    clientOrderId: textAt(json['clientOrderId'], `${path}.clientOrderId`) as ClientOrderId,
    strategyId: textAt(json['strategyId'], `${path}.strategyId`) as StrategyId,
    instrumentId: textAt(json['instrumentId'], `${path}.instrumentId`) as InstrumentId,
    side: oneOf<OrderSide>(json['side'], SIDES, `${path}.side`),
    type: oneOf<OrderType>(json['type'], TYPES, `${path}.type`),
    quantity: decimalAt(json['quantity'], `${path}.quantity`),
    price: optionalDecimalAt(json['price'], `${path}.price`),
    triggerPrice: optionalDecimalAt(json['triggerPrice'], `${path}.triggerPrice`),
    postOnly: booleanAt(json['postOnly'], `${path}.postOnly`),
    reduceOnly: booleanAt(json['reduceOnly'], `${path}.reduceOnly`),
    timeInForce: oneOf<TimeInForce>(json['timeInForce'], TIMES_IN_FORCE, `${path}.timeInForce`),
    expireAt: json['expireAt'] === null || json['expireAt'] === undefined ? undefined : timeAt(json['expireAt'], `${path}.expireAt`),
    tag: optionalTextAt(json['tag'], `${path}.tag`),
    features: features === null || features === undefined ? undefined : Object.freeze({ ...(features as Record<string, number>) }),
    createdAt: timeAt(json['createdAt'], `${path}.createdAt`),
    status: oneOf<OrderStatus>(json['status'], STATUSES, `${path}.status`),
    venueOrderId: optionalTextAt(json['venueOrderId'], `${path}.venueOrderId`) as VenueOrderId | undefined,
    filledQuantity: decimalAt(json['filledQuantity'], `${path}.filledQuantity`),
    averageFillPrice: optionalDecimalAt(json['averageFillPrice'], `${path}.averageFillPrice`),
    fees: Object.freeze(fees),
    updatedAt: timeAt(json['updatedAt'], `${path}.updatedAt`),
    reason: optionalTextAt(json['reason'], `${path}.reason`),
  });
  return {
    order,
    tradeIds: tradeIds as TradeId[],
    statusBeforeCancel: beforeCancel === null || beforeCancel === undefined ? undefined : oneOf<OrderStatus>(beforeCancel, STATUSES, `${path}.statusBeforeCancel`),
  };
}

/** The parts of a snapshot's state, checked; the portfolio is left as JSON for `Portfolio.fromJSON`. */
export interface ParsedEngineState {
  readonly orderCounter: number;
  readonly orderIdPrefix: string;
  readonly tradingState: TradingState;
  readonly orders: readonly RestoredOrder[];
  readonly portfolio: unknown;
  /** Learner states by learner id. */
  readonly learners: ReadonlyMap<string, unknown>;
  /** Each strategy's kept values (`ctx.state`), by strategy id, then key. */
  readonly strategyStates: ReadonlyMap<string, ReadonlyMap<string, unknown>>;
  /** The risk engine's state (undefined in older snapshots). */
  readonly risk: RiskEngineState | undefined;
}

/** Reads a risk engine's state (`RiskEngine.snapshot()`) back from JSON; undefined stays undefined. */
export function parseRiskEngineState(value: unknown, where: string): RiskEngineState | undefined {
  if (value === undefined) return undefined;
  const json = objectAt(value, where);
  const requests = arrayAt(json['requests'], `${where}.requests`).map((entry, index) => {
    const item = objectAt(entry, `${where}.requests[${index}]`);
    return {
      policy: textAt(item['policy'], `${where}.requests[${index}].policy`),
      to: oneOf<TradingState>(item['to'], TRADING_STATES, `${where}.requests[${index}].to`),
      reason: textAt(item['reason'], `${where}.requests[${index}].reason`),
    };
  });
  const policies = arrayAt(json['policies'], `${where}.policies`).map((entry, index) => {
    const item = objectAt(entry, `${where}.policies[${index}]`);
    return { name: textAt(item['name'], `${where}.policies[${index}].name`), occurrence: wholeNumberAt(item['occurrence'], `${where}.policies[${index}].occurrence`), state: item['state'] };
  });
  const reason = optionalTextAt(json['operatorReason'], `${where}.operatorReason`);
  return { operatorState: oneOf<TradingState>(json['operatorState'], TRADING_STATES, `${where}.operatorState`), ...(reason === undefined ? {} : { operatorReason: reason }), requests, policies };
}

function strategyStates(value: unknown, where: string): ReadonlyMap<string, ReadonlyMap<string, unknown>> {
  const states = new Map<string, ReadonlyMap<string, unknown>>();
  if (value === undefined) return states;
  if (!Array.isArray(value)) throw invalid(where, value, 'an array of { id, state }');
  value.forEach((entry, index) => {
    const item = objectAt(entry, `${where}[${index}]`);
    if (typeof item['id'] !== 'string') throw invalid(`${where}[${index}].id`, item['id'], 'a strategy id');
    states.set(item['id'], new Map(Object.entries(objectAt(item['state'], `${where}[${index}].state`))));
  });
  return states;
}

function learnerStates(value: unknown, where: string): ReadonlyMap<string, unknown> {
  const states = new Map<string, unknown>();
  if (value === undefined) return states;
  if (!Array.isArray(value)) throw invalid(where, value, 'an array of { id, state }');
  value.forEach((entry, index) => {
    const item = objectAt(entry, `${where}[${index}]`);
    if (typeof item['id'] !== 'string') throw invalid(`${where}[${index}].id`, item['id'], 'a learner id');
    states.set(item['id'], item['state']);
  });
  return states;
}

/** Checks a snapshot's state; `where` names the snapshot in errors (e.g. `snapshot at sequence 40`). */
export function parseEngineState(state: unknown, where = 'snapshot'): ParsedEngineState {
  const json = objectAt(state, where);
  if (json['format'] !== ENGINE_STATE_FORMAT) {
    throw invalid(`${where}.format`, json['format'], `${ENGINE_STATE_FORMAT} (the engine state format this kbot reads; was the store written by another version?)`);
  }
  const counter = json['orderCounter'];
  if (!Number.isSafeInteger(counter) || (counter as number) < 0) throw invalid(`${where}.orderCounter`, counter, 'a whole number of 0 or more');
  const prefix = json['orderIdPrefix'];
  if (typeof prefix !== 'string') throw invalid(`${where}.orderIdPrefix`, prefix, 'a string');
  const orders = json['orders'];
  if (!Array.isArray(orders)) throw invalid(`${where}.orders`, orders, 'an array');
  return {
    orderCounter: counter as number,
    orderIdPrefix: prefix,
    tradingState: oneOf<TradingState>(json['tradingState'], TRADING_STATES, `${where}.tradingState`),
    orders: orders.map((order, index) => orderFromJson(order, `${where}.orders[${index}]`)),
    portfolio: json['portfolio'],
    learners: learnerStates(json['learners'], `${where}.learners`),
    strategyStates: strategyStates(json['strategies'], `${where}.strategies`),
    risk: parseRiskEngineState(json['risk'], `${where}.risk`),
  };
}
