import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { describeParams, type StrategyRegistry } from '@kbot/core';
import { strategyRegistry } from '@kbot/strategies';
import { backtestCommand } from './commands/backtest.js';
import { configCheckCommand } from './commands/config-check.js';
import { initProject } from './commands/init.js';
import { startSim } from './commands/sim.js';
import { runCommand } from './commands/run.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerStatusCommand } from './commands/status.js';
import { registerResumeCommand } from './commands/resume.js';
import { describeError, EXIT, exitCodeFor, UsageError } from './exit-codes.js';
import { registerOperatorCommands } from './operator-commands.js';
import { registerDataCommands } from './commands/data.js';
import { registerReportCommand } from './commands/report.js';

export const KBOT_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly registry?: StrategyRegistry;
}

const defaultIo: CliIo = {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Builds the `kbot` program. Actions set `exitCode` instead of exiting, so tests can run it. */
export function createProgram(io: CliIo = defaultIo): { program: Command; exitCode: () => number } {
  let exitCode: number = EXIT.ok;
  const registry = io.registry ?? strategyRegistry;
  const program = new Command('kbot')
    .description('kbot: build, backtest and run trading bots for Kraken')
    .version(KBOT_VERSION, '-v, --version')
    .option('--debug', 'print stack traces for errors')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // Usage errors (unknown option, missing value, extra argument) as one `kbot:` line, like every other error.
      outputError: (text, write) => write(usageErrorLine(text)),
    });

  program
    .command('backtest')
    .description('replay market data through the bot and write a report (report.json, trades.csv, report.html)')
    .option('-c, --config <file>', 'config file (default: kbot.config.ts found from the current folder)')
    .option('-d, --data <file>', 'market data file (bars, or a Kraken spreads file replayed as quotes); repeat for several (overrides backtest.data)', collect)
    .option('--trades <file>', 'Kraken trades file replayed as trades, one event per trade (with --data, or alone); repeat for several', collect)
    .option('--instrument <pair>', 'instrument of the --data files when the file name does not say (e.g. BTC/USD)')
    .option('--interval <interval>', 'bar interval of the --data files when it cannot be inferred (e.g. 15m)')
    .option('--resample <interval>', 'replay every data source aggregated to this longer interval (e.g. 15m, 1h, 4h, 1d)')
    .option('--from <date>', 'first bar time, inclusive (2023-01-01 or 2023-01-01T12:00:00Z)')
    .option('--to <date>', 'end time, exclusive')
    .option('-o, --out <dir>', 'report folder (default: <storage.dir>/reports/<name>-<time>)')
    .option('--json', 'print report.json to stdout instead of the summary')
    .option('--no-progress', 'hide the progress bar')
    .action(async (flags) => {
      const outcome = await backtestCommand(flags, { cwd: io.cwd, kbotVersion: KBOT_VERSION, registry });
      io.stdout(outcome.output);
    });

  program
    .command('init')
    .description('create a working bot project: kbot.config.ts, a strategy, package.json, tsconfig.json')
    .argument('[dir]', 'folder to create the project in', '.')
    .option('--force', 'overwrite existing files')
    .action((dir: string, flags: { force?: boolean }) => {
      const result = initProject(dir, KBOT_VERSION, { force: flags.force ?? false });
      io.stdout(`created ${result.files.length} files in ${result.dir}:\n${result.files.map((file) => `  ${file}`).join('\n')}\nnext: cd ${dir} && npm install && npx kbot backtest`);
    });

  const config = program.command('config').description('work with kbot.config.ts');
  config
    .command('check')
    .description('validate the config and list every problem')
    .option('-c, --config <file>', 'config file (default: kbot.config.ts found from the current folder)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { config?: string; json?: boolean }) => {
      const outcome = await configCheckCommand(flags, { cwd: io.cwd, registry });
      if (flags.json) io.stdout(JSON.stringify(outcome));
      else if (outcome.ok) {
        io.stdout(`config ok: ${outcome.file}\n${JSON.stringify(outcome.summary, null, 2)}`);
        for (const warning of outcome.warnings) io.stderr(`warning: ${warning}`);
      }
      else io.stderr(`config has ${outcome.problems.length} problem(s):\n${outcome.problems.map((line) => `  ${line}`).join('\n')}`);
      if (!outcome.ok) exitCode = EXIT.usage;
    });

  program
    .command('run')
    .description('run the bot in paper or live mode against the configured exchange until Ctrl-C, --duration or --bars')
    .option('-c, --config <file>', 'config file (default: kbot.config.ts found from the current folder)')
    .option('--mode <mode>', 'paper or live (default: the config\'s mode)')
    .option('--duration <time>', 'stop after this long (90s, 15m, 2h)')
    .option('--bars <n>', 'stop after this many closed bars')
    .option('--confirm-live', 'confirm live trading with real money (needed once per storage folder)')
    .option('--no-record', 'do not keep a flight recording of the session (docs/flight-recorder.md)')
    .option('--resume', 'if the journal ends halted (kbot panic, a breaker), start trading again (active)')
    .option('-o, --out <dir>', 'session report folder (default: <storage.dir>/reports/<name>-<mode>-<time>)')
    .option('--json', 'print report.json to stdout instead of the summary')
    .action(async (flags) => {
      let last = 0;
      const status = (line: string, once = false) => {
        // What happens once (start-up, warm-up) is a line of its own, always printed.
        if (once) {
          if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(100)}\n`);
          else io.stderr(line);
          return;
        }
        // A live status line for people; a line every 10 s otherwise (logs, CI).
        if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(100)}`);
        else if (Date.now() - last > 10_000) {
          last = Date.now();
          io.stderr(line);
        }
      };
      const outcome = await runCommand(flags, { cwd: io.cwd, kbotVersion: KBOT_VERSION, registry, status });
      if (process.stderr.isTTY) process.stderr.write('\n');
      io.stdout(outcome.output);
    });

  program
    .command('sim')
    .description('run a local Kraken simulator (REST + WebSocket v2) for paper and live tests; no network, no real keys')
    .option('--port <port>', 'port to listen on (default: any free port)')
    .option('--speed <factor>', 'market time per wall time (default 60: a 1-minute bar per second; 0 = frozen)')
    .option('-d, --data <file>', 'replay this market data file (repeat for several pairs; default: a generated market)', collect)
    .option('--pair <pair>', 'pair of the generated market, or of --data files whose name does not say (default BTC/USD)')
    .option('--interval <interval>', 'bar interval of the generated market (default 1m)')
    .option('--balance <asset=amount>', 'starting balance of the simulated account (repeat; default USD=10000)', collect)
    .option('--credentials <file>', 'where to write the account key and URLs (default trading_data/sim-credentials.env)')
    .option('--seed <n>', 'seed of the generated market (default 1)')
    .option('--start <date>', 'first bar time of the generated market (default 2024-01-01)')
    .action(async (flags) => {
      const started = await startSim(flags, { cwd: io.cwd });
      io.stdout(started.lines.join('\n'));
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await started.simulator.stop();
      io.stdout('simulator stopped');
    });

  program
    .command('strategies')
    .description('list the strategies a config can name with { use: "<name>" }')
    .option('--json', 'print as JSON')
    .action((flags: { json?: boolean }) => {
      const entries = Object.entries(registry).map(([name, entry]) => ({
        name, class: entry.strategy.name, description: entry.description ?? '', params: describeParams(entry.schema),
      }));
      if (flags.json) return io.stdout(JSON.stringify(entries));
      if (entries.length === 0) return io.stdout('no strategies registered');
      io.stdout(entries.map((entry) => [
        `${entry.name} (${entry.class}): ${entry.description}`,
        ...entry.params.map((param) => `    ${param.name.padEnd(22)} ${param.type.padEnd(8)} ${param.required ? 'required' : `default ${JSON.stringify(param.default)}`}${param.constraints ? `  ${param.constraints}` : ''}`),
      ].join('\n')).join('\n\n'));
    });

  registerOperatorCommands(program, io, { registry, setExitCode: (code) => (exitCode = code) });
  registerKeysCommand(program, io);
  registerStatusCommand(program, io);
  registerResumeCommand(program, io);
  registerDataCommands(program, io, { registry, setExitCode: (code) => (exitCode = code) });
  registerReportCommand(program, io, { registry, kbotVersion: KBOT_VERSION, setExitCode: (code) => (exitCode = code) });

  return { program, exitCode: () => exitCode };
}

/** Commander's "error: unknown option '--x'\n(Did you mean --y?)" as `kbot: unknown option '--x' (Did you mean --y?) (run ...)`. */
function usageErrorLine(text: string): string {
  const message = text.trim().replace(/^error:\s*/, '').split('\n').map((line) => line.trim()).filter(Boolean).join(' ');
  return `kbot: ${message} (run "kbot --help" for usage)`;
}

/** Runs the CLI and returns the exit code; never throws for user errors. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const { program, exitCode } = createProgram(io);
  const debug = argv.includes('--debug') || process.env.KBOT_DEBUG === '1';
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they already printed.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    io.stderr(describeError(error, debug));
    return exitCodeFor(error);
  }
}


