/** The files `kbot init` writes: a config, one strategy of the user's own, and the project shell. */
export function projectFiles(options: { name: string; kbotVersion: string }): Record<string, string> {
  const range = `^${options.kbotVersion}`;
  return {
    'package.json': `${JSON.stringify(
      {
        name: options.name,
        private: true,
        type: 'module',
        scripts: { backtest: 'kbot backtest', check: 'kbot config check' },
        dependencies: { '@kbot/cli': range, '@kbot/core': range, '@kbot/strategies': range },
        devDependencies: { typescript: '^5.9.3' },
        engines: { node: '>=20.19' },
      },
      null,
      2,
    )}\n`,
    // Legacy decorators + metadata: tsyringe's @inject needs them (kbot loads the config with jiti,
    // which applies them even without this file; the file keeps editors and tsc in agreement).
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ['kbot.config.ts', 'strategies'],
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules/\ntrading_data/\nreports/\n',
    'kbot.config.ts': `import { defineConfig } from '@kbot/core';
import { SmaCross } from './strategies/sma-cross.js';

export default defineConfig({
  name: '${options.name}',
  strategies: [SmaCross.with({ pair: 'BTC/USD', interval: '1h', fast: 12, slow: 36, orderQuote: '2000' })],
  risk: { maxPositionQuote: '5000', maxOpenOrders: 4 },
  backtest: {
    balances: { USD: '10000' },
    // A GENERATED market, so the first run needs no files. For real data, pass files with
    // --data (Kraken OHLCVT CSV, Kraken REST OHLC, freqtrade JSON, Kraken trades) or list them here:
    // data: ['./data/XBTUSD_60.csv'],
    data: [{ generated: { instrument: 'BTC/USD', interval: '1h', bars: 4000, seed: 7 } }],
  },
});
`,
    'strategies/sma-cross.ts': `import { BaseStrategy, instrumentId, parseInterval, type Bar, type StrategyContext, type Subscription } from '@kbot/core';

export interface SmaCrossParams {
  /** Instrument, e.g. BTC/USD. */
  pair: string;
  /** Bar interval, e.g. 1h. */
  interval: string;
  fast: number;
  slow: number;
  /** How much quote currency one entry spends. */
  orderQuote: string;
}

/**
 * Buys when the fast simple moving average crosses above the slow one and sells the whole
 * position when it crosses back below. Indicators are plain numbers (fast); money is Decimal.
 */
export class SmaCross extends BaseStrategy<SmaCrossParams> {
  private closes: number[] = [];
  private previousDifference: number | undefined;

  subscriptions(params: SmaCrossParams): Subscription[] {
    return [{ instrumentId: instrumentId(params.pair), kind: 'bars', interval: parseInterval(params.interval) }];
  }

  onBar(bar: Bar, ctx: StrategyContext<SmaCrossParams>): void {
    const { fast, slow, orderQuote } = ctx.params;
    this.closes.push(bar.close);
    if (this.closes.length > slow) this.closes.shift();
    if (this.closes.length < slow) return;
    const difference = average(this.closes.slice(-fast)) - average(this.closes);
    const crossedUp = this.previousDifference !== undefined && this.previousDifference <= 0 && difference > 0;
    const crossedDown = this.previousDifference !== undefined && this.previousDifference >= 0 && difference < 0;
    this.previousDifference = difference;

    const position = ctx.portfolio.position(bar.instrumentId);
    const pending = ctx.portfolio.openOrders(bar.instrumentId).length > 0;
    if (crossedUp && !position && !pending) {
      const quantity = (Number(orderQuote) / bar.close).toFixed(8);
      ctx.orders.submit({ instrumentId: bar.instrumentId, side: 'buy', type: 'market', quantity, tag: 'sma cross up' });
    } else if (crossedDown && position && !pending) {
      ctx.orders.submit({ instrumentId: bar.instrumentId, side: 'sell', type: 'market', quantity: position.quantity, tag: 'sma cross down' });
    }
  }
}

function average(values: number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
`,
    'README.md': `# ${options.name}

A kbot trading bot. \`kbot.config.ts\` composes it; \`strategies/sma-cross.ts\` is its strategy.

\`\`\`sh
npm install
npx kbot backtest                # backtests on the generated market in kbot.config.ts
npx kbot backtest --data XBTUSD_60.csv --from 2020-01-01 --to 2020-06-30
npx kbot config check            # validates the config and lists every problem
\`\`\`

Reports land in \`trading_data/reports/<name>-<time>/\` (or the folder given with \`--out\`): \`report.json\`, \`trades.csv\`, \`report.html\`.
`,
  };
}
