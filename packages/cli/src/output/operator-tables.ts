import Table from 'cli-table3';
import { decimalString, isoTime, type Balance, type Decimal } from '@kbot/core';
import type { OpenOrderView, PlacedOrder } from '../operator/operator-venue.js';
import type { PanicReport } from '../operator/panic.js';

/** A plain table for people (no colours: output is often piped or logged). */
export function plainTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows) table.push([...row]);
  return table.toString();
}

export function optionalDecimal(value: Decimal | undefined): string {
  return value === undefined ? '-' : decimalString(value);
}

export function balancesTable(balances: readonly Balance[]): string {
  return plainTable(
    ['asset', 'total', 'available', 'held by orders'],
    balances.map((balance) => [balance.asset, decimalString(balance.total), decimalString(balance.available), decimalString(balance.total.minus(balance.available))]),
  );
}

export function ordersTable(orders: readonly OpenOrderView[]): string {
  return plainTable(
    ['order', 'pair', 'side', 'type', 'price', 'quantity', 'filled', 'status', 'opened (UTC)', 'client id'],
    orders.map((order) => [
      order.id,
      order.instrumentId ?? order.venuePair,
      order.side ?? '?',
      order.type,
      optionalDecimal(order.price),
      decimalString(order.quantity),
      decimalString(order.filled),
      order.status,
      order.openedAt > 0 ? isoTime(order.openedAt).slice(0, 19).replace('T', ' ') : '-',
      order.clientOrderId ?? '-',
    ]),
  );
}

/** `order OABC-... closed, filled 0.5 at 40000.1 on average`. */
export function placedOrderLine(order: PlacedOrder): string {
  const fill = order.filled === undefined ? 'fill not known yet' : order.filled.isZero() ? 'nothing filled yet' : `filled ${decimalString(order.filled)}${order.averagePrice === undefined ? '' : ` at ${decimalString(order.averagePrice)} on average`}`;
  return `order ${order.id} (${order.description || 'market order'}): ${order.status ?? 'status not known yet'}, ${fill}`;
}

/** What `kbot panic` did, line by line. */
export function panicSummary(report: PanicReport): string {
  const lines = [`PANIC on ${report.exchangeId} (${report.endpoint}) at ${isoTime(report.time)}`];
  lines.push(
    report.halt === 'halted'
      ? 'halt: the running bot of this config is halted (its open orders canceled through its journal)'
      : report.halt === 'failed'
        ? 'halt: FAILED (see errors)'
        : 'halt: no bot of this config is running',
  );
  lines.push(report.canceled === undefined ? 'cancel all orders: FAILED (see errors)' : `canceled ${report.canceled} open order${report.canceled === 1 ? '' : 's'}`);
  if (!report.flatten) lines.push('positions: left as they are (add --flatten to sell them at market)');
  else {
    if (report.sold.length === 0) lines.push(`sold: nothing into ${report.quote}`);
    for (const sale of report.sold) lines.push(`sold ${decimalString(sale.quantity)} ${sale.asset} on ${sale.instrumentId}: ${placedOrderLine(sale.order)}`);
    for (const left of report.unsold) lines.push(`not sold: ${decimalString(left.quantity)} ${left.asset}: ${left.reason}`);
  }
  if (report.errors.length > 0) lines.push(`errors (${report.errors.length}):`, ...report.errors.map((error) => `  ${error}`));
  else lines.push('done');
  return lines.join('\n');
}
