import { silentLogger, type StrategyRegistry } from '@kbot/core';
import type { KrakenExchange } from '@kbot/exchange-kraken';
import { UsageError } from '../exit-codes.js';
import { openExchange, type OpenedExchange } from '../open-exchange.js';
import { KrakenOperatorVenue, requireCredentials, requireKrakenExchange } from './kraken-operator-venue.js';

/** What the operator commands get from the program. */
export interface OperatorContext {
  readonly cwd: string;
  readonly registry: StrategyRegistry;
  /** Where keys and URLs are read; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Asks the person at the terminal a yes/no question; absent when nobody can answer (no TTY). */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
}

/** What an operator command prints and the exit code it ends with. */
export interface CommandOutcome {
  /** What goes to stdout: a table for people, or one JSON document. */
  readonly output: string;
  readonly exitCode: number;
}

/** The configured Kraken exchange opened for one operator command; `close()` stops the plugins. */
export interface OperatorSession {
  readonly opened: OpenedExchange;
  readonly kraken: KrakenExchange;
  readonly venue: KrakenOperatorVenue;
  close(): Promise<void>;
}

/** A trading action the operator did not confirm: nothing was sent. Recorded as `refused`. */
export class NotConfirmedError extends UsageError {}

export interface OperatorSessionOptions<T> {
  readonly flags: { readonly config?: string | undefined; readonly json?: boolean | undefined };
  readonly context: OperatorContext;
  /** `kbot sell`, for messages. */
  readonly command: string;
  /** Set when the command reads the account: it needs the API key (and unlocks the key file). */
  readonly account?: boolean;
  /**
   * Commands that change the account (sell, cancel-all, panic) are recorded in the audit trail
   * (`<storage.dir>/audit.log`) with these arguments, how they ended, and what `result` adds.
   */
  readonly audit?: { readonly command: string; readonly args: Readonly<Record<string, unknown>>; readonly result?: (value: T) => Readonly<Record<string, unknown>> };
}

/**
 * Opens the configured exchange through openExchange() (config, environment overrides, key file,
 * plugin settings), checks it is Kraken (or the simulator, which speaks Kraken), runs `work`, and
 * always closes it, so no socket or timer keeps the process alive.
 */
export async function withOperatorSession<T>(options: OperatorSessionOptions<T>, work: (session: OperatorSession) => Promise<T>): Promise<T> {
  const { flags, context, command } = options;
  const opened = await openExchange({
    cwd: context.cwd,
    registry: context.registry,
    ...(flags.config ? { configFile: flags.config } : {}),
    ...(context.env ? { env: context.env } : {}),
    ...(options.account ? { unlockKeyFile: true } : {}),
    // JSON on stdout must stay parseable; log lines for people go to the log file and stderr.
    ...(flags.json ? { logger: silentLogger } : {}),
  });
  const record = (outcome: 'ok' | 'failed' | 'refused', extra: Readonly<Record<string, unknown>>, detail?: string) => {
    if (options.audit === undefined) return;
    opened.audit.recordOperatorAction({ command: options.audit.command, args: { ...options.audit.args, ...extra }, outcome, ...(detail === undefined ? {} : { detail }) });
  };
  try {
    const kraken = requireKrakenExchange(opened.exchange, command);
    if (options.account) requireCredentials(kraken, command, opened.keyFile);
    let result: T;
    try {
      result = await work({ opened, kraken, venue: new KrakenOperatorVenue(kraken), close: () => opened.close() });
    } catch (error) {
      record(error instanceof NotConfirmedError ? 'refused' : 'failed', { endpoint: kraken.rest.baseUrl }, error instanceof Error ? error.message : String(error));
      throw error;
    }
    const exitCode = (result as Partial<CommandOutcome>).exitCode;
    record(exitCode === undefined || exitCode === 0 ? 'ok' : 'failed', { endpoint: kraken.rest.baseUrl, ...options.audit?.result?.(result) });
    return result;
  } finally {
    await opened.close();
  }
}
