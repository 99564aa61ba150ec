import { fewReturnsNote } from '../backtest/metrics.js';
import type { BacktestResult } from '../backtest/result.js';
import { isoTime } from '../model/time.js';
import { escapeHtml } from './escape-html.js';
import { toReportJson, type ReportJson } from './report-json.js';
import { svgLineChart } from './svg-chart.js';

/** Round-trip rows shown in the HTML page; report.json and trades.csv always hold everything. */
export const HTML_ROUND_TRIP_LIMIT = 500;

/** report.html: one self-contained page (inline CSS and SVG, no scripts, no external assets). */
export function toReportHtml(result: BacktestResult): string {
  return renderReportHtml(toReportJson(result));
}

/** Renders the page from a report.json object, so a saved report can be rendered again. */
export function renderReportHtml(report: ReportJson): string {
  const title = `kbot backtest: ${report.name}`;
  const quote = report.quoteAsset;
  const m = report.metrics;
  const sections: string[] = [];

  sections.push(`<h1>${text(title)}</h1>`);
  sections.push(
    `<p class="meta">${text(periodText(report))} · ${text(replayedText(report.run))} · kbot ${text(report.kbotVersion)} · ` +
      `run ${text(isoTime(report.run.startedAt))}, took ${text(durationText(report.run.durationMs))}</p>`,
  );
  if (report.generatedMarket) {
    const generated = [...new Set(report.dataSources.filter((source) => source.generated).map((source) => source.instrumentId))];
    sections.push(
      `<div class="banner" role="alert"><strong>GENERATED MARKET</strong> — generated data for ${text(generated.join(', '))}. ` +
        'These prices are synthetic, not recorded from a real market, so the results say nothing about how the strategy would do on one.</div>',
    );
  }

  sections.push('<h2>Summary</h2>');
  sections.push(
    table(
      ['Metric', 'Value'],
      [
        ['Start equity', `${report.startEquity} ${quote}`],
        ['End equity', `${report.endEquity} ${quote}`],
        ['Net P&L', `${m.netPnl} ${quote}`],
        ['Net P&L %', percentText(m.netPnlPercent)],
        ['Fees paid', `${m.feesPaid} ${quote}`],
        ['Max drawdown', `${fractionText(m.maxDrawdown)} (${numberText(m.maxDrawdownQuote)} ${quote})`],
        ['Sharpe (annualized)', curveRatioText(m.sharpe, m.returnCount)],
        ['Sortino (annualized)', curveRatioText(m.sortino, m.returnCount)],
        ['Win rate', fractionText(m.winRate)],
        ['Profit factor', ratioText(m.profitFactor)],
        ['Exposure', fractionText(m.exposure)],
        ['Round trips', String(m.tradeCount)],
        ['Fills', String(m.fillCount)],
        ['Buy and hold', percentText(m.buyAndHoldPercent)],
      ],
      [false, true],
    ),
  );

  sections.push('<h2>Equity</h2>');
  sections.push(
    svgLineChart(
      report.equityCurve.map((point) => ({ time: point.time, value: point.equity })),
      { title: `Equity (${quote})`, formatValue: numberText },
    ),
  );
  sections.push(
    svgLineChart(
      report.equityCurve.map((point) => ({ time: point.time, value: -point.drawdown * 100 })),
      { title: 'Drawdown from peak (%)', formatValue: (value) => `${value.toFixed(2)}%`, stroke: '#cf222e', areaFill: '#cf222e', includeZero: true },
    ),
  );

  sections.push('<h2>Balances</h2>');
  sections.push(table(['Asset', 'Start', 'End', 'Change'], report.balances.map((row) => [row.asset, row.start, row.end, row.change]), [false, true, true, true]));

  if (report.openPositions.length > 0) {
    sections.push('<h2>Open positions</h2>');
    sections.push(
      table(
        ['Instrument', 'Quantity', 'Entry price', 'Mark price', 'Market value', 'Unrealized P&L', 'Opened'],
        report.openPositions.map((position) => [
          position.instrumentId,
          position.quantity,
          position.averageEntryPrice,
          position.markPrice ?? '—',
          position.marketValue ?? '—',
          position.unrealizedPnl ?? '—',
          position.openedAtIso ?? '—',
        ]),
        [false, true, true, true, true, true, false],
      ),
    );
  }

  sections.push(`<h2>Round trips (${report.roundTrips.length})</h2>`);
  if (report.roundTrips.length === 0) {
    sections.push('<p>No round trip was closed.</p>');
  } else {
    const shown = report.roundTrips.slice(0, HTML_ROUND_TRIP_LIMIT);
    if (report.roundTrips.length > shown.length) {
      sections.push(`<p class="note">Showing the first ${shown.length} of ${report.roundTrips.length} round trips; report.json has all of them.</p>`);
    }
    sections.push(
      table(
        ['Instrument', 'Opened', 'Closed', 'Quantity', 'Entry', 'Exit', 'Gross P&L', 'Fees', 'Net P&L', 'Return', 'Fills'],
        shown.map((trip) => [
          trip.instrumentId,
          trip.openedAtIso,
          trip.closedAtIso,
          trip.quantity,
          trip.averageEntryPrice,
          trip.averageExitPrice,
          trip.grossPnl,
          trip.fees,
          trip.netPnl,
          fractionText(Number(trip.returnFraction)),
          String(trip.fills),
        ]),
        [false, false, false, true, true, true, true, true, true, true, true],
      ),
    );
  }
  sections.push(`<p class="note">${report.fills.length} fills: see trades.csv or report.json.</p>`);

  sections.push('<h2>Strategies</h2>');
  sections.push(
    table(
      ['Id', 'Name', 'Parameters'],
      report.strategies.map((strategy) => [strategy.id, strategy.name, { pre: JSON.stringify(strategy.params, null, 2) }]),
      [false, false, false],
    ),
  );

  sections.push('<h2>Data</h2>');
  // A column for the bars before `from` the strategies warmed up on, only in runs that did.
  const warmedUp = report.dataSources.some((source) => (source.warmUp ?? null) !== null);
  sections.push(
    table(
      ['File', 'Format', 'Instrument', 'Interval', 'Bars', 'Ticks', 'First', 'Last', 'Gaps', 'Largest gap', 'Generated', ...(warmedUp ? ['Warm-up bars'] : [])],
      report.dataSources.map((source) => [
        source.file,
        source.format,
        source.instrumentId,
        source.interval > 0 ? source.intervalText : '—',
        String(source.bars),
        ticksText(source.trades ?? 0, source.quotes ?? 0),
        source.firstIso ?? '—',
        source.lastIso ?? '—',
        String(source.gaps),
        source.gaps > 0 ? durationText(source.largestGapMs) : '—',
        source.generated ? 'yes' : 'no',
        ...(warmedUp ? [warmUpText(source.warmUp)] : []),
      ]),
      [false, false, false, false, true, true, false, false, true, true, false, ...(warmedUp ? [true] : [])],
    ),
  );

  const denials = Object.entries(report.denials);
  if (denials.length > 0) {
    sections.push('<h2>Risk denials</h2>');
    sections.push(table(['Code', 'Orders denied'], denials.map(([code, count]) => [code, String(count)]), [false, true]));
  }

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${text(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...sections,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const STYLE = [
  'body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2328}',
  'h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem}',
  '.meta,.note{color:#59636e}',
  '.banner{background:#fff1e5;border:2px solid #bc4c00;color:#7a2e00;padding:.75rem 1rem;margin:1rem 0;font-size:1rem}',
  'table{border-collapse:collapse;margin:.5rem 0}th,td{border-bottom:1px solid #d1d9e0;padding:.3rem .6rem;text-align:left;vertical-align:top}',
  'td.num{text-align:right;font-variant-numeric:tabular-nums}pre{margin:0;font-size:12px}',
  'svg.chart{display:block;max-width:100%;height:auto;margin:.5rem 0 1rem}',
  '.chart-title{font-size:13px;font-weight:600;fill:#1f2328}.chart-label{font-size:11px;fill:#59636e}.chart-axis{stroke:#afb8c1;stroke-width:1}',
].join('');

type Cell = string | { readonly pre: string };

function table(headers: readonly string[], rows: readonly (readonly Cell[])[], numeric: readonly boolean[]): string {
  const head = `<tr>${headers.map((header) => `<th>${text(header)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row) => `<tr>${row.map((cell, i) => (numeric[i] ? `<td class="num">${cellHtml(cell)}</td>` : `<td>${cellHtml(cell)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function cellHtml(cell: Cell): string {
  return typeof cell === 'string' ? text(cell) : `<pre>${text(cell.pre)}</pre>`;
}

const text = escapeHtml;

function periodText(report: ReportJson): string {
  const from = report.run.fromIso ?? 'start of data';
  const to = report.run.toIso ?? 'end of data';
  return `${from} to ${to}`;
}

function ratioText(value: number | null): string {
  return value === null ? '—' : value.toFixed(2);
}

/** Sharpe or Sortino, flagged when annualized from too few returns (as the CLI summary does). */
function curveRatioText(value: number | null, returnCount: number | undefined): string {
  return value === null ? ratioText(value) : `${ratioText(value)}${fewReturnsNote(returnCount)}`;
}

function fractionText(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : `${(value * 100).toFixed(2)}%`;
}

function percentText(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(2)}%`;
}

/** Chart and summary numbers: enough digits to read, never an exponent for ordinary equity sizes. */
function numberText(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return Math.abs(value) >= 1000 ? value.toFixed(2) : String(Number(value.toPrecision(6)));
}

function durationText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms < 1000) return `${ms} ms`;
  const units: ReadonlyArray<readonly [string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let rest = ms;
  // The two largest units that are not zero: "3d 4h", "2h 15m", "45s".
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** `8635 bars`, or `40 bars, 1000 trades, 220 quotes` when ticks were replayed (older reports have no tick counts). */
function replayedText(run: ReportJson['run']): string {
  const trades = run.tradesProcessed ?? 0;
  const quotes = run.quotesProcessed ?? 0;
  return trades === 0 && quotes === 0 ? `${run.barsProcessed} bars` : `${run.barsProcessed} bars, ${trades} trades, ${quotes} quotes`;
}

/** `50`, or `40 of 50 wanted` when the data held fewer bars before `from`. */
function warmUpText(warmUp: { readonly wanted: number; readonly received: number } | null | undefined): string {
  if (warmUp === null || warmUp === undefined) return '—';
  return warmUp.received < warmUp.wanted ? `${warmUp.received} of ${warmUp.wanted} wanted` : String(warmUp.received);
}

function ticksText(trades: number, quotes: number): string {
  const parts = [...(trades > 0 ? [`${trades} trades`] : []), ...(quotes > 0 ? [`${quotes} quotes`] : [])];
  return parts.length === 0 ? '—' : parts.join(', ');
}
