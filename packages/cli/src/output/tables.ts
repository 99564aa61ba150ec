import Table from 'cli-table3';
import { decimalString, fewReturnsNote, formatInterval, isoTime, type BacktestResult } from '@kbot/core';

export function percent(value: number | null, digits = 2): string {
  return value === null ? 'n/a' : `${value.toFixed(digits)}%`;
}

function ratio(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(2);
}

/** Sharpe or Sortino, flagged when it comes from too few returns (a short session annualized). */
export function curveRatio(value: number | null, returnCount: number | undefined): string {
  return value === null ? ratio(value) : `${ratio(value)}${fewReturnsNote(returnCount)}`;
}

/**
 * What the strategies warmed up on before `from` (`--from`): bars of the data before it, as a
 * session warms up on the venue's history. Said loudly when the data held fewer than wanted.
 */
function warmUpLine(source: BacktestResult['data'][number]): string[] {
  const warmUp = source.warmUp;
  if (warmUp === undefined) return [];
  const series = `${source.instrumentId} ${formatInterval(source.interval)}`;
  if (warmUp.received >= warmUp.wanted) return [`warm-up: ${series}: the strategies warmed up on the ${warmUp.received} bars before the first one replayed`];
  return [`NOTE: warm-up: ${series}: ${warmUp.received} of the ${warmUp.wanted} bars wanted before the first one replayed (the data starts there); indicators finish warming up on the bars replayed`];
}

/** The summary a person reads after `kbot backtest`. */
export function backtestSummary(result: BacktestResult, reportDir: string | undefined): string {
  const m = result.metrics;
  const quote = result.quoteAsset;
  const lines: string[] = [];
  const generated = result.data.filter((source) => source.generated);
  if (generated.length > 0) {
    lines.push(`NOTE: ${generated.length === result.data.length ? 'all' : 'some'} market data in this run is GENERATED (a seeded random market), not real prices.`);
  }
  const ticks = result.data.some((source) => (source.trades ?? 0) > 0 || (source.quotes ?? 0) > 0);
  const sources = new Table({ head: ['data', 'instrument', 'interval', 'bars', ...(ticks ? ['ticks'] : []), 'from', 'to', 'gaps'], style: { head: [], border: [] } });
  for (const source of result.data) {
    const tickText = [...((source.trades ?? 0) > 0 ? [`${source.trades} trades`] : []), ...((source.quotes ?? 0) > 0 ? [`${source.quotes} quotes`] : [])].join(', ') || '-';
    sources.push([
      source.generated ? 'generated market' : source.file,
      source.instrumentId,
      source.interval > 0 ? formatInterval(source.interval) : '-',
      String(source.bars),
      ...(ticks ? [tickText] : []),
      source.first === undefined ? '-' : isoTime(source.first).slice(0, ticks ? 19 : 16),
      source.last === undefined ? '-' : isoTime(source.last).slice(0, ticks ? 19 : 16),
      String(source.gaps),
    ]);
  }
  // A paper or live session has no data sources (its market data is the venue's feed): no empty table.
  if (result.data.length > 0) lines.push(sources.toString());
  lines.push(...result.data.flatMap(warmUpLine));
  const metrics = new Table({ style: { head: [], border: [] } });
  metrics.push(
    { 'start equity': `${decimalString(result.startEquity.toDecimalPlaces(2))} ${quote}` },
    { 'end equity': `${decimalString(result.endEquity.toDecimalPlaces(2))} ${quote}` },
    { 'net P&L (after fees)': `${decimalString(m.netPnl.toDecimalPlaces(2))} ${quote} (${percent(m.netPnlPercent)})` },
    { 'buy and hold': percent(m.buyAndHoldPercent) },
    { 'fees paid': `${decimalString(m.feesPaid.toDecimalPlaces(2))} ${quote}` },
    { 'max drawdown': `${percent(m.maxDrawdown * 100)} (${m.maxDrawdownQuote.toFixed(2)} ${quote})` },
    { sharpe: curveRatio(m.sharpe, m.returnCount) },
    { sortino: curveRatio(m.sortino, m.returnCount) },
    { 'round trips': String(m.tradeCount) },
    { 'win rate': m.winRate === null ? 'n/a' : percent(m.winRate * 100, 1) },
    { 'profit factor': ratio(m.profitFactor) },
    { exposure: percent(m.exposure * 100, 1) },
    { fills: String(m.fillCount) },
  );
  const denials = Object.entries(result.denials);
  if (denials.length > 0) metrics.push({ 'orders denied': denials.map(([code, count]) => `${code} ${count}`).join(', ') });
  // What the venue refused, and what was still working when the run ended: orders that did not
  // fill are part of what a strategy did.
  const orders = result.orders ?? [];
  // Counted by the venue's error (the text before its details), or every figure would be its own entry.
  const rejected = countBy(orders.filter((order) => order.status === 'rejected'), (order) => (order.reason ?? 'no reason given').split(': ', 1)[0]!);
  if (rejected.length > 0) metrics.push({ 'orders rejected': rejected.map(([reason, count]) => `${reason} ${count}`).join(', ') });
  const open = orders.filter((order) => order.status === 'accepted' || order.status === 'partially-filled' || order.status === 'submitted' || order.status === 'pending-cancel').length;
  if (open > 0) metrics.push({ 'orders open at the end': String(open) });
  lines.push(metrics.toString());
  const balances = new Table({ head: ['asset', 'start', 'end'], style: { head: [], border: [] } });
  const assets = [...new Set([...Object.keys(result.startBalances), ...Object.keys(result.endBalances)])].sort();
  for (const asset of assets) {
    balances.push([asset, result.startBalances[asset] ? decimalString(result.startBalances[asset]!) : '0', result.endBalances[asset] ? decimalString(result.endBalances[asset]!) : '0']);
  }
  lines.push(balances.toString());
  // A position without a price is not in the equity above: say so rather than call it valued.
  const valued = result.openPositions.filter((position) => result.markPrices[position.instrumentId] !== undefined);
  const unvalued = result.openPositions.filter((position) => result.markPrices[position.instrumentId] === undefined);
  const listed = (positions: typeof valued) => positions.map((position) => `${decimalString(position.quantity)} ${position.instrumentId}`).join(', ');
  if (valued.length > 0) lines.push(`open at the end (valued at the last price): ${listed(valued)}`);
  if (unvalued.length > 0) lines.push(`open at the end with no price in this run (left out of equity and P&L): ${listed(unvalued)}`);
  if (reportDir) lines.push(`report: ${reportDir}/report.html (also report.json, trades.csv)`);
  return lines.join('\n');
}

/** Counts by key, most frequent first. */
function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}
