// Smoke test of the BUILT packages (dist/), run by CI after the demo: loads this example's
// kbot.config.ts the way the CLI does (jiti), composes the bot on its own DI container, checks
// that the config's strategy is the same class as the one the dist exports (one copy of each
// package in the process), resolves an injected class from the bot container, and runs a short
// backtest. Exits non-zero with a message on the first failure.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { TOKENS, createBot, inject, injectable, openBacktestData, runBacktest } from '@kbot/core';
import { loadKbotConfig } from '@kbot/cli';
import { EmaRsiTrend, strategyRegistry } from '@kbot/strategies';

const here = fileURLToPath(new URL('.', import.meta.url));
const { config, file } = await loadKbotConfig({ cwd: here });
const bot = createBot(config, { registry: strategyRegistry });
assert.equal(bot.strategies.length, 1, 'the example bot has one strategy');
assert.ok(bot.strategies[0].strategy instanceof EmaRsiTrend, 'the strategy from kbot.config.ts is the dist EmaRsiTrend (one package copy)');

// DI through the dist exports, decorators applied by hand (plain JavaScript has no decorator syntax).
class BotNameReporter {
  constructor(name, logger) {
    this.name = name;
    this.logger = logger;
  }
}
inject(TOKENS.BotName)(BotNameReporter, undefined, 0);
inject(TOKENS.Logger)(BotNameReporter, undefined, 1);
injectable()(BotNameReporter);
const reporter = bot.container.resolve(BotNameReporter);
assert.equal(reporter.name, 'basic', 'TOKENS.BotName resolves from the bot container');
assert.equal(typeof reporter.logger.info, 'function', 'TOKENS.Logger resolves from the bot container');

const data = openBacktestData(config.backtest.data, { baseDir: here });
const result = await runBacktest({ bot, data, kbotVersion: 'smoke' });
assert.ok(result.barsProcessed > 0, 'the backtest processed bars');
assert.ok(result.fills.length > 0, 'the example bot traded');
console.log(`dist smoke ok: ${file} -> ${bot.strategies[0].id}, ${result.barsProcessed} bars, ${result.fills.length} fills, net P&L ${result.metrics.netPnl.toFixed(2)} ${result.quoteAsset}`);
