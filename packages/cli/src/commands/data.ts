import type { Command } from 'commander';
import type { StrategyRegistry } from '@kbot/core';
import type { CliIo } from '../program.js';
import { dataDownloadCommand, EXIT_INTERRUPTED, type DataDownloadFlags } from './data-download.js';
import { dataImportCommand, type DataImportFlags } from './data-import.js';
import { dataListCommand, type DataListFlags } from './data-list.js';

export interface DataCommandsContext {
  readonly registry: StrategyRegistry;
  /** Sets the process exit code (interrupted downloads, unreadable files). */
  readonly setExitCode: (code: number) => void;
}

/** Registers `kbot data download|import|list`. */
export function registerDataCommands(program: Command, io: CliIo, context: DataCommandsContext): void {
  const data = program.command('data').description('download, import and list market data files (<storage.dir>/candles)');

  data
    .command('download')
    .description('download bars of a pair from Kraken into <storage.dir>/candles (resumable)')
    .argument('<pair>', 'pair, e.g. BTC/USD or XBTUSD')
    .option('-c, --config <file>', 'config file (default: kbot.config.ts found from the current folder)')
    .option('--interval <interval>', 'bar interval: 1m, 5m, 15m, 30m, 1h, 4h, 12h or 1d')
    .option('--from <date>', 'first bar time: 2024-01-01 or 2024-01-01T12:00:00Z (UTC)')
    .option('--to <date>', 'end time, exclusive (default: now); only whole intervals before it are kept')
    .option('-o, --out <dir>', 'folder for the file (default: <storage.dir>/candles)')
    .option('--force', 'download again when the file exists')
    .option('--json', 'print the outcome as JSON')
    .option('--no-progress', 'hide the progress bar')
    .action(async (pair: string, flags: DataDownloadFlags) => {
      // Ctrl-C stops after the page in flight is saved; running the command again continues.
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        const result = await dataDownloadCommand(pair, flags, { cwd: io.cwd, registry: context.registry, signal: controller.signal });
        // Stopped by Ctrl-C: what was kept is a message for the person, not the command's output.
        (result.exitCode === EXIT_INTERRUPTED && !flags.json ? io.stderr : io.stdout)(result.output);
        if (result.exitCode !== 0) context.setExitCode(result.exitCode);
      } finally {
        process.off('SIGINT', onSignal);
      }
    });

  data
    .command('import')
    .description('check Kraken OHLCVT, REST OHLC or trade CSV files and put them into <storage.dir>/candles')
    .argument('<file...>', 'files to import')
    .option('-c, --config <file>', 'config file (default: kbot.config.ts found from the current folder)')
    .option('--pair <pair>', 'pair of the files when their names do not say, e.g. BTC/USD')
    .option('--interval <interval>', 'bar interval: what trades are aggregated into, or of OHLCVT files whose names do not say')
    .option('-o, --out <dir>', 'data folder (default: <storage.dir>/candles)')
    .option('--force', 'replace files that exist')
    .option('--json', 'print the outcome as JSON')
    .action(async (files: string[], flags: DataImportFlags) => {
      const result = await dataImportCommand(files, flags, { cwd: io.cwd });
      io.stdout(result.output);
    });

  data
    .command('list')
    .description('list the data files with pair, interval, first/last bar, rows and gaps')
    .option('-c, --config <file>', 'config file (default: kbot.config.ts found from the current folder)')
    .option('--dir <dir>', 'data folder (default: <storage.dir>/candles)')
    .option('--gaps [count]', 'also list the longest gaps of each file (default 10)')
    .option('--json', 'print as JSON')
    .action(async (flags: DataListFlags) => {
      const result = await dataListCommand(flags, { cwd: io.cwd });
      io.stdout(result.output);
      if (result.exitCode !== 0) context.setExitCode(result.exitCode);
    });
}
