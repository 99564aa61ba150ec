import { describe, expect, it } from 'vitest';
import { svgLineChart } from './svg-chart.js';

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
const format = (value: number): string => value.toFixed(1);

function pathPoints(svg: string): Array<[number, number]> {
  const d = /<path d="([^"]+)" fill="none"/.exec(svg)![1]!;
  return [...d.matchAll(/[ML]([\d.-]+) ([\d.-]+)/g)].map((match) => [Number(match[1]), Number(match[2])]);
}

describe('svgLineChart', () => {
  it('draws one path from left to right, higher values higher up, with min/max and date labels', () => {
    const svg = svgLineChart(
      [{ time: T0, value: 100 }, { time: T0 + HOUR, value: 150 }, { time: T0 + 2 * HOUR, value: 50 }],
      { title: 'Equity <USD>', formatValue: format, width: 500, height: 200 },
    );
    const points = pathPoints(svg);
    expect(points).toHaveLength(3);
    expect(points[0]![0]).toBeLessThan(points[1]![0]);
    expect(points[1]![0]).toBeLessThan(points[2]![0]);
    // SVG y grows downwards: 150 is the top edge, 50 the bottom edge.
    expect(points[1]![1]).toBeLessThan(points[0]![1]);
    expect(points[2]![1]).toBeGreaterThan(points[0]![1]);
    expect(svg).toContain('>150.0</text>');
    expect(svg).toContain('>50.0</text>');
    expect(svg).toContain('>2024-01-01 00:00 UTC</text>');
    expect(svg).toContain('>2024-01-01 02:00 UTC</text>');
    expect(svg).toContain('<title>Equity &lt;USD&gt;</title>');
  });

  it('draws flat and single-point series without NaN, and says when there is no data', () => {
    const flat = svgLineChart([{ time: T0, value: 0 }, { time: T0 + HOUR, value: 0 }], { title: 'dd', formatValue: format, includeZero: true, areaFill: '#f00' });
    const single = svgLineChart([{ time: T0, value: 42 }], { title: 'one', formatValue: format });
    for (const svg of [flat, single]) {
      expect(svg).not.toContain('NaN');
      expect(pathPoints(svg).length).toBeGreaterThan(0);
    }
    expect(svgLineChart([], { title: 'none', formatValue: format })).toContain('>no data</text>');
  });
});
