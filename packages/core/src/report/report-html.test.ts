import { describe, expect, it } from 'vitest';
import { HTML_ROUND_TRIP_LIMIT, toReportHtml } from './report-html.js';
import { FIXTURE_STRATEGY_NAME, T0, buildFixtureResult, fixtureRoundTrip } from './test-fixture.js';

const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('toReportHtml', () => {
  const html = toReportHtml(buildFixtureResult());

  it('is one self-contained page with an equity and a drawdown chart', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(count(html, '<svg')).toBe(2);
    expect(count(html, '</svg>')).toBe(2);
    expect(html).toContain('Drawdown from peak (%)');
    expect(html).toContain('Equity (USD)');
    // No scripts and nothing fetched from elsewhere.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link|<img|src=|url\(/i);
    expect(html).not.toContain('NaN');
  });

  it('escapes every piece of text that came from the run', () => {
    expect(html).not.toContain(FIXTURE_STRATEGY_NAME);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<title>kbot backtest: fixture &lt;run&gt; &amp; co</title>');
    expect(html).toContain('mean &quot;rev&quot;, v2');
  });

  it('shows the summary, balances and round trips with exact money', () => {
    expect(html).toContain('<td>Net P&amp;L</td><td class="num">92.137375 USD</td>');
    expect(html).toContain('<td>Max drawdown</td>');
    expect(html).toContain('<td>USD</td><td class="num">10000</td><td class="num">9062.137375</td><td class="num">-937.862625</td>');
    expect(html).toContain('89.699875');
    expect(html).toContain('2024-01-01 00:00 UTC');
    expect(html).toContain('2024-01-01 04:00 UTC');
  });

  it('shows the GENERATED MARKET banner only for generated data', () => {
    expect(html).not.toContain('GENERATED MARKET');
    const generated = toReportHtml(buildFixtureResult({ generated: true }));
    expect(generated).toContain('<strong>GENERATED MARKET</strong>');
    expect(generated.indexOf('GENERATED MARKET')).toBeLessThan(generated.indexOf('<h2>Summary</h2>'));
  });

  it('caps the round-trip table and says so', () => {
    const trips = Array.from({ length: HTML_ROUND_TRIP_LIMIT + 1 }, (_, i) => fixtureRoundTrip(String(i), T0 + (i + 2) * 3_600_000));
    const big = toReportHtml(buildFixtureResult({ roundTrips: trips }));
    expect(big).toContain(`Showing the first ${HTML_ROUND_TRIP_LIMIT} of ${HTML_ROUND_TRIP_LIMIT + 1} round trips`);
    expect(count(big, '<td>BTC/USD</td><td>2024-01-01T01:00:00.000Z</td>')).toBe(HTML_ROUND_TRIP_LIMIT);
    expect(html).not.toContain('Showing the first');
  });
});
