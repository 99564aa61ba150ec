import type { EpochMs } from '../model/time.js';
import { escapeHtml } from './escape-html.js';

export interface ChartPoint {
  readonly time: EpochMs;
  readonly value: number;
}

export interface SvgLineChartOptions {
  /** Shown above the plot and as the SVG's accessible title. */
  readonly title: string;
  /** Formats the min and max labels of the value axis. */
  readonly formatValue: (value: number) => string;
  readonly width?: number;
  readonly height?: number;
  readonly stroke?: string;
  /** When set, the area between the line and zero (or the nearest edge) is filled with this colour. */
  readonly areaFill?: string;
  /** Stretch the value axis to include 0 (drawdown charts hang from 0). */
  readonly includeZero?: boolean;
}

const MARGIN = { left: 84, right: 16, top: 28, bottom: 30 } as const;

/**
 * A hand-written SVG line chart: one path over the points, axis lines, the title, min and max
 * value labels on the left and start and end dates below. No scripts, no external assets, so
 * the report opens anywhere. All text is escaped. Non-finite values are skipped.
 */
export function svgLineChart(points: readonly ChartPoint[], options: SvgLineChartOptions): string {
  const width = options.width ?? 860;
  const height = options.height ?? 260;
  const stroke = options.stroke ?? '#1f6feb';
  const plotLeft = MARGIN.left;
  const plotRight = width - MARGIN.right;
  const plotTop = MARGIN.top;
  const plotBottom = height - MARGIN.bottom;
  const title = escapeHtml(options.title);
  const open =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" class="chart">` +
    `<title>${title}</title>` +
    `<text x="${plotLeft}" y="18" class="chart-title">${title}</text>`;

  const finite = points.filter((point) => Number.isFinite(point.value) && Number.isFinite(point.time));
  if (finite.length === 0) {
    return `${open}<text x="${(plotLeft + plotRight) / 2}" y="${(plotTop + plotBottom) / 2}" text-anchor="middle" class="chart-label">no data</text></svg>`;
  }

  let minValue = Infinity;
  let maxValue = -Infinity;
  for (const point of finite) {
    if (point.value < minValue) minValue = point.value;
    if (point.value > maxValue) maxValue = point.value;
  }
  if (options.includeZero) {
    minValue = Math.min(minValue, 0);
    maxValue = Math.max(maxValue, 0);
  }
  // A flat series still needs a height to draw in; pad around it rather than divide by zero.
  let low = minValue;
  let high = maxValue;
  if (high === low) {
    const pad = Math.abs(high) > 0 ? Math.abs(high) * 0.01 : 1;
    if (options.includeZero && high === 0) low = -pad;
    else {
      low -= pad;
      high += pad;
    }
  }
  const firstTime = finite[0]!.time;
  const lastTime = finite[finite.length - 1]!.time;
  const timeSpan = lastTime - firstTime;
  const x = (time: number): number =>
    timeSpan > 0 ? plotLeft + ((time - firstTime) / timeSpan) * (plotRight - plotLeft) : (plotLeft + plotRight) / 2;
  const y = (value: number): number => plotBottom - ((value - low) / (high - low)) * (plotBottom - plotTop);

  let line = '';
  for (let i = 0; i < finite.length; i++) {
    const point = finite[i]!;
    line += `${i === 0 ? 'M' : 'L'}${round(x(point.time))} ${round(y(point.value))}`;
  }
  let area = '';
  if (options.areaFill !== undefined) {
    const base = round(y(Math.min(Math.max(0, low), high)));
    area = `<path d="${line}L${round(x(lastTime))} ${base}L${round(x(firstTime))} ${base}Z" fill="${escapeHtml(options.areaFill)}" stroke="none" opacity="0.35"/>`;
  }

  return (
    open +
    `<line x1="${plotLeft}" y1="${plotTop}" x2="${plotLeft}" y2="${plotBottom}" class="chart-axis"/>` +
    `<line x1="${plotLeft}" y1="${plotBottom}" x2="${plotRight}" y2="${plotBottom}" class="chart-axis"/>` +
    area +
    `<path d="${line}" fill="none" stroke="${escapeHtml(stroke)}" stroke-width="1.5" stroke-linejoin="round"/>` +
    `<text x="${plotLeft - 6}" y="${plotTop + 4}" text-anchor="end" class="chart-label">${escapeHtml(options.formatValue(high))}</text>` +
    `<text x="${plotLeft - 6}" y="${plotBottom}" text-anchor="end" class="chart-label">${escapeHtml(options.formatValue(low))}</text>` +
    `<text x="${plotLeft}" y="${height - 10}" class="chart-label">${escapeHtml(chartDate(firstTime))}</text>` +
    `<text x="${plotRight}" y="${height - 10}" text-anchor="end" class="chart-label">${escapeHtml(chartDate(lastTime))}</text>` +
    '</svg>'
  );
}

/** `2024-03-01 14:00 UTC`: minutes are enough on a chart axis. */
export function chartDate(time: EpochMs): string {
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
