/*
 * Test support for the exit tests: fills, an order port that records what it is asked, and a
 * driver that feeds bars and reports the actions per bar. Not exported from the package.
 */
import {
  Decimal, clientOrderId, instrumentId, strategyId, tradeId,
  type Bar, type ClientOrderId, type Fill, type Logger, type Order, type OrderEvent, type OrderIntent, type OrderPort, type OrderStatus,
} from '@kbot/core';
import { bar, FakePortfolioView, order, position, TEST_START_TIME } from '@kbot/core/testing';
import type { ExitAction } from './exit-action.js';
import type { ExitManager, ExitManagerContext } from './exit-manager.js';

export const MINUTE = 60_000;
let tradeCounter = 0;

/** A fill of `quantity` BTC/USD at `price` (taker, fee 0) at bar `index`'s open. */
export function fill(side: 'buy' | 'sell', quantity: string, price: number | string, options: { index?: number; order?: string; pair?: string } = {}): Fill {
  return Object.freeze({
    tradeId: tradeId(`T${++tradeCounter}`),
    clientOrderId: clientOrderId(options.order ?? `kb-${side}`),
    venueOrderId: undefined,
    strategyId: strategyId('test'),
    instrumentId: instrumentId(options.pair ?? 'BTC/USD'),
    side,
    quantity: new Decimal(quantity),
    price: new Decimal(price),
    fee: new Decimal(0),
    feeAsset: 'USD',
    liquidity: 'taker',
    time: TEST_START_TIME + (options.index ?? 0) * MINUTE,
  });
}

/** Bar `index` (1-minute BTC/USD bars from TEST_START_TIME) with the given prices. */
export function barAt(index: number, close: number, prices: { open?: number; high?: number; low?: number } = {}): Bar {
  const open = prices.open ?? close;
  return bar({
    openTime: TEST_START_TIME + index * MINUTE,
    open,
    close,
    high: prices.high ?? Math.max(open, close),
    low: prices.low ?? Math.min(open, close),
  });
}

/** The held position as the portfolio would report it. */
export function held(quantity: string, averageEntryPrice: number, updatedAt = TEST_START_TIME) {
  return position({ quantity, averageEntryPrice, updatedAt });
}

/** An OrderPort that hands out ids `x-1`, `x-2`, ... and records submits and cancels. */
export class RecordingPort implements OrderPort {
  readonly submitted: { id: ClientOrderId; intent: OrderIntent }[] = [];
  readonly canceled: ClientOrderId[] = [];
  private counter = 0;

  submit(intent: OrderIntent): ClientOrderId {
    const id = clientOrderId(`x-${++this.counter}`);
    this.submitted.push({ id, intent });
    return id;
  }

  cancel(id: ClientOrderId): void {
    this.canceled.push(id);
  }

  cancelAll(): void {}

  /** No venue limit, as in a backtest. */
  budget(): undefined {
    return undefined;
  }

  readonly tradingState = 'active' as const;
}

/** `sell market 0.5 (exit: stop-loss)` / `sell stop-loss 0.5 @ 97.9` / `cancel x-1`: one line per action. */
export function describeActions(actions: readonly ExitAction[]): string[] {
  return actions.map((action) => {
    if (action.kind === 'cancel') return `cancel ${action.clientOrderId} (${action.reason})`;
    const intent = action.intent;
    const quantity = (intent.quantity as Decimal).toFixed();
    const trigger = intent.triggerPrice === undefined ? '' : ` @ ${(intent.triggerPrice as Decimal).toFixed()}`;
    return `${intent.side} ${intent.type} ${quantity}${trigger} (${intent.tag})`;
  });
}

/** An order event for an order the exits sent: enough of an Order for them (status, fills). */
export function orderEvent(
  type: OrderEvent['type'],
  id: ClientOrderId,
  status: OrderStatus,
  extra: { fill?: Fill; filledQuantity?: string } = {},
): OrderEvent {
  const order = { clientOrderId: id, status, filledQuantity: new Decimal(extra.filledQuantity ?? '0') } as unknown as Order;
  const base = { type, time: TEST_START_TIME, sequence: 0, clientOrderId: id, strategyId: strategyId('test'), instrumentId: instrumentId('BTC/USD'), order };
  return (extra.fill ? { ...base, fill: extra.fill } : base) as unknown as OrderEvent;
}

/**
 * Feeds bars one at a time with the position the fills imply, and returns, per bar index, the
 * actions the exits asked for (described), so a test reads "bar 7: sell market 0.5".
 */
export function runBars(exits: ExitManager, bars: readonly Bar[], quantity: string, entryPrice: number): Map<number, string[]> {
  const out = new Map<number, string[]>();
  bars.forEach((entry, index) => {
    const actions = exits.onBar(entry, held(quantity, entryPrice));
    if (actions.length > 0) out.set(index, describeActions(actions));
  });
  return out;
}

/** A logger that keeps `level: message` lines. */
export function recordingLog(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const log: Logger & { lines: string[] } = {
    lines,
    debug: (message) => void lines.push(`debug: ${message}`),
    info: (message) => void lines.push(`info: ${message}`),
    warn: (message) => void lines.push(`warn: ${message}`),
    error: (message) => void lines.push(`error: ${message}`),
    child: () => log,
  };
  return log;
}

/**
 * A protective stop an earlier run of strategy `test` left on the exchange (BTC/USD, accepted),
 * as the engine restores it from the journal.
 */
export function leftStop(id: string, quantity: string, trigger: number | string, extra: { status?: OrderStatus; tag?: string; strategy?: string; filledQuantity?: string } = {}): Order {
  return order({
    clientOrderId: id, strategyId: extra.strategy ?? 'test', side: 'sell', type: 'stop-loss', quantity, triggerPrice: trigger,
    tag: extra.tag ?? 'protective stop: trailing-stop', status: extra.status ?? 'accepted', filledQuantity: extra.filledQuantity ?? '0',
  });
}

/** The context of strategy `test` after a restart: these orders open, a recording log. */
export function contextWith(orders: readonly Order[] = []): ExitManagerContext & { readonly log: ReturnType<typeof recordingLog> } {
  return { strategyId: 'test', portfolio: new FakePortfolioView({ orders }), log: recordingLog() };
}
