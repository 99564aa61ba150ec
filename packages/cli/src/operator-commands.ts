import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { StrategyRegistry } from '@kbot/core';
import { balanceCommand } from './commands/balance.js';
import { cancelAllCommand } from './commands/cancel-all.js';
import { checkCommand } from './commands/check.js';
import { marketCommand } from './commands/market.js';
import { ordersCommand } from './commands/orders.js';
import { panicCommand } from './commands/panic.js';
import { positionsCommand } from './commands/positions.js';
import { sellCommand } from './commands/sell.js';
import type { OperatorContext } from './operator/operator-session.js';
import type { CliIo } from './program.js';

/** What the program hands the operator commands. */
export interface OperatorCommandsContext {
  readonly registry: StrategyRegistry;
  readonly setExitCode: (code: number) => void;
  /** Where keys and URLs are read; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Yes/no questions; default: a prompt on the terminal when stdin and stderr are terminals, else none. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

const CONFIG_HELP = 'config file (default: kbot.config.ts found from the current folder)';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Asks on the terminal; only when a person can answer (stdin and stderr are terminals). */
function terminalConfirm(): ((question: string) => Promise<boolean>) | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (question) => {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
    } finally {
      prompt.close();
    }
  };
}

/**
 * The operator's one-shot commands (check, balance, positions, orders, sell, cancel-all, panic)
 * and the market stream, all against the exchange configured in kbot.config.ts.
 */
export function registerOperatorCommands(program: Command, io: CliIo, context: OperatorCommandsContext): void {
  const confirm = context.confirm ?? terminalConfirm();
  const operator = (): OperatorContext => ({
    cwd: io.cwd,
    registry: context.registry,
    ...(context.env ? { env: context.env } : {}),
    ...(confirm ? { confirm } : {}),
  });
  const finish = (outcome: { output: string; exitCode: number }) => {
    io.stdout(outcome.output);
    context.setExitCode(outcome.exitCode);
  };

  program
    .command('check')
    .alias('doctor')
    .description('check the exchange: connectivity, clock skew, config pairs, API key permissions, rate-limit tier')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--json', 'print the result as JSON')
    .action(async (flags: { config?: string; json?: boolean }) => finish(await checkCommand(flags, operator())));

  program
    .command('balance')
    .description('print the account balances at the exchange (total, available, held by orders)')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--all', 'also list assets with a zero balance')
    .option('--json', 'print as JSON (amounts as decimal strings)')
    .action(async (flags: { config?: string; json?: boolean; all?: boolean }) => finish(await balanceCommand(flags, operator())));

  program
    .command('positions')
    .description('print spot positions: balances other than the quote asset, valued at the last price')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--quote <asset>', 'asset to value positions in (default: the quote of the config\'s pairs, else USD)')
    .option('--json', 'print as JSON (amounts as decimal strings)')
    .action(async (flags: { config?: string; json?: boolean; quote?: string }) => finish(await positionsCommand(flags, operator())));

  program
    .command('orders')
    .description('print the open orders at the exchange')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--pair <pair>', 'only this pair\'s orders (e.g. BTC/USD)')
    .option('--json', 'print as JSON (amounts as decimal strings)')
    .action(async (flags: { config?: string; json?: boolean; pair?: string }) => finish(await ordersCommand(flags, operator())));

  program
    .command('sell')
    .description('sell a pair\'s base asset at market (manual liquidation); asks for confirmation unless --yes')
    .argument('<pair>', 'pair to sell on, e.g. BTC/USD')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--amount <quantity>', 'how much of the base asset to sell (e.g. 0.25)')
    .option('--all', 'sell all of the available base balance')
    .option('-y, --yes', 'confirm without asking (needed with --json and when not on a terminal)')
    .option('--json', 'print as JSON (amounts as decimal strings)')
    .action(async (pair: string, flags: { config?: string; json?: boolean; amount?: string; all?: boolean; yes?: boolean }) => finish(await sellCommand(pair, flags, operator())));

  program
    .command('cancel-all')
    .description('cancel every open order of the account at the exchange')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--json', 'print as JSON')
    .action(async (flags: { config?: string; json?: boolean }) => finish(await cancelAllCommand(flags, operator())));

  program
    .command('panic')
    .description('kill switch: cancel every open order and, with --flatten, sell every other asset at market; prints what it did')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--flatten', 'also sell every asset except the quote (and --keep) with market orders')
    .option('--quote <asset>', 'asset to sell into (default: the quote of the config\'s pairs, else USD)')
    .option('--keep <asset>', 'an asset --flatten must not sell (repeat for several)', collect)
    .option('-y, --yes', 'confirm --flatten without asking (needed with --json and when not on a terminal)')
    .option('--json', 'print what was done as JSON')
    .action(async (flags: { config?: string; json?: boolean; flatten?: boolean; quote?: string; keep?: string[]; yes?: boolean }) => finish(await panicCommand(flags, operator())));

  program
    .command('market')
    .description('stream a pair\'s public market data: a live top-of-book table, or JSON lines with --json')
    .argument('<pair>', 'pair, e.g. BTC/USD')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--book <depth>', 'order book depth: 10, 25, 100, 500 or 1000 (default 10; the book is shown unless only --trades or --ohlc is given)')
    .option('--orders', 'the order-by-order book (Kraken level3: every resting order in queue order; depth 10, 100 or 1000; needs API keys)')
    .option('--trades', 'stream trades')
    .option('--ohlc <interval>', 'stream candles as they close: 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w or 15d')
    .option('--count <n>', 'stop after n updates (book updates, trades and candles)')
    .option('--json', 'one JSON object per line: prices and quantities as decimal strings, checksum status, resyncs')
    .action(async (pair: string, flags: { config?: string; json?: boolean; book?: string; orders?: boolean; trades?: boolean; ohlc?: string; count?: string }) => {
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const outcome = await marketCommand(pair, flags, { ...operator(), write: io.stdout, status: io.stderr, tty: process.stdout.isTTY === true, signal: controller.signal });
        if (!flags.json) io.stderr(`stopped after ${outcome.updates} update${outcome.updates === 1 ? '' : 's'} (${outcome.resyncs} book resync${outcome.resyncs === 1 ? '' : 's'})`);
        context.setExitCode(outcome.exitCode);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
